namespace Tend.Stores.Etcd;

/// <summary>A transport's Authenticate request: user and password for a token, on one endpoint.</summary>
internal interface IEtcdAuthenticator
{
    /// <summary>The token etcd gives (empty when it gives none); failures as <see cref="EtcdAttemptException"/>.</summary>
    Task<string> AuthenticateAsync(Uri endpoint, string username, string password, CancellationToken cancellationToken);
}
