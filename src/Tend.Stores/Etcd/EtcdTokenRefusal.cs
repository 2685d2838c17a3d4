namespace Tend.Stores.Etcd;

/// <summary>Why the auth token was last dropped: the call the server refused it for, and the server's words; logged once a new token is in.</summary>
internal sealed record EtcdTokenRefusal(string What, string Reason);
