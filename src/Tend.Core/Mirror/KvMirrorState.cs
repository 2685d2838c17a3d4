namespace Tend.Core.Mirror;

/// <summary>Where a mirror stands.</summary>
public enum KvMirrorState
{
    /// <summary>Not started, or the first load has not succeeded yet.</summary>
    Loading,

    /// <summary>Watching; the snapshot is current.</summary>
    Watching,

    /// <summary>The watch broke; the snapshot is the last known state and the mirror is reconnecting.</summary>
    Reconnecting,

    /// <summary>Stopped.</summary>
    Stopped,
}
