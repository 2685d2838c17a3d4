namespace Tend.Stores.ZooKeeper.Protocol;

/// <summary>Permission bits of an ACL entry.</summary>
[Flags]
internal enum ZooKeeperPermissions
{
    None = 0,
    Read = 1,
    Write = 2,
    Create = 4,
    Delete = 8,
    Admin = 16,
    All = Read | Write | Create | Delete | Admin,
}

/// <summary>One ACL entry: permissions granted to an identity (<c>scheme:id</c>, e.g. <c>world:anyone</c>, <c>auth:</c>, <c>digest:user:hash</c>).</summary>
internal sealed record ZooKeeperAcl(ZooKeeperPermissions Permissions, string Scheme, string Id)
{
    /// <summary>Everything for everyone.</summary>
    public static IReadOnlyList<ZooKeeperAcl> OpenUnsafe { get; } = [new(ZooKeeperPermissions.All, "world", "anyone")];

    /// <summary>Everything for the identities the creating session authenticated as, and read for everyone (what zk_watcher used).</summary>
    public static IReadOnlyList<ZooKeeperAcl> CreatorAllWorldRead { get; } =
        [new(ZooKeeperPermissions.All, "auth", string.Empty), new(ZooKeeperPermissions.Read, "world", "anyone")];

    /// <summary>The <c>digest</c> identity of <paramref name="user"/>: <c>user:base64(sha1(user:password))</c>, as the server computes it.</summary>
    public static string DigestId(string user, string password)
    {
        ArgumentNullException.ThrowIfNull(user);
#pragma warning disable CA5350 // SHA-1 is what ZooKeeper's digest scheme is defined with; it is an identity, not our security choice.
        var hash = System.Security.Cryptography.SHA1.HashData(System.Text.Encoding.UTF8.GetBytes(user + ":" + password));
#pragma warning restore CA5350
        return user + ":" + Convert.ToBase64String(hash);
    }

    internal static void WriteList(JuteWriter w, IReadOnlyList<ZooKeeperAcl> acl)
    {
        w.WriteInt(acl.Count);
        foreach (var a in acl)
        {
            w.WriteInt((int)a.Permissions);
            w.WriteString(a.Scheme);
            w.WriteString(a.Id);
        }
    }
}
