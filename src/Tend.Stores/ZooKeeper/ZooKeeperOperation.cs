using Tend.Stores.ZooKeeper.Protocol;

namespace Tend.Stores.ZooKeeper;

/// <summary>One operation of an atomic multi.</summary>
internal sealed record ZooKeeperOperation(ZooKeeperOperationKind Kind, string Path, ReadOnlyMemory<byte> Data = default, int Version = -1, CreateMode Mode = CreateMode.Persistent, IReadOnlyList<ZooKeeperAcl>? Acl = null)
{
    public static ZooKeeperOperation Create(string path, ReadOnlyMemory<byte> data, CreateMode mode = CreateMode.Persistent, IReadOnlyList<ZooKeeperAcl>? acl = null) =>
        new(ZooKeeperOperationKind.Create, path, data, Mode: mode, Acl: acl);

    public static ZooKeeperOperation Delete(string path, int version = -1) => new(ZooKeeperOperationKind.Delete, path, Version: version);

    public static ZooKeeperOperation SetData(string path, ReadOnlyMemory<byte> data, int version = -1) => new(ZooKeeperOperationKind.SetData, path, data, version);

    /// <summary>Fails the whole multi unless <paramref name="path"/> is at <paramref name="version"/>.</summary>
    public static ZooKeeperOperation Check(string path, int version) => new(ZooKeeperOperationKind.Check, path, Version: version);
}
