namespace Tend.Core.Kv;

/// <summary>The state of an ephemeral registration.</summary>
public enum KvRegistrationState
{
    /// <summary>The entry exists in the store.</summary>
    Registered,

    /// <summary>The entry was lost (expired lease, expired session, deleted by someone) and is being re-created.</summary>
    Recovering,

    /// <summary>The handle was disposed and the entry removed.</summary>
    Closed,
}

/// <summary>
/// A live ephemeral entry created by <see cref="IKvStore.RegisterAsync"/>. The store keeps it alive
/// (lease keep-alive, session pings) and re-creates it after it was lost; disposing removes it at once.
/// </summary>
public interface IKvRegistration : IAsyncDisposable
{
    /// <summary>The registered key.</summary>
    string Key { get; }

    /// <summary>The registered value.</summary>
    string Value { get; }

    /// <summary>The current state.</summary>
    KvRegistrationState State { get; }
}
