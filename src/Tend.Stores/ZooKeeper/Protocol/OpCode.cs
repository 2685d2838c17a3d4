namespace Tend.Stores.ZooKeeper.Protocol;

/// <summary>Request types of the ZooKeeper client protocol (the subset this client speaks).</summary>
internal enum OpCode
{
    Notification = 0,
    Create = 1,
    Delete = 2,
    Exists = 3,
    GetData = 4,
    SetData = 5,
    Sync = 9,
    Ping = 11,
    GetChildren2 = 12,
    Check = 13,
    Multi = 14,
    Create2 = 15,
    CreateContainer = 19,
    Auth = 100,
    SetWatches2 = 105,
    AddWatch = 106,
    CloseSession = -11,
    Error = -1,
}
