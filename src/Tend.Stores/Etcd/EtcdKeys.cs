using System.Text;
using Tend.Core.Kv;

namespace Tend.Stores.Etcd;

/// <summary>Maps Tend key paths to etcd byte keys and key ranges.</summary>
internal static class EtcdKeys
{
    /// <summary>The UTF-8 bytes of a normalised key.</summary>
    public static byte[] Key(string path) => Encoding.UTF8.GetBytes(path);

    /// <summary>
    /// The range that holds the children of <paramref name="prefix"/> (path semantics): [prefix/, prefix0),
    /// since '0' is the byte after '/'. For the root it is every key that starts with '/'.
    /// </summary>
    public static (byte[] Start, byte[] End) Children(string prefix)
    {
        if (prefix == KeyPath.Root)
        {
            return ("/"u8.ToArray(), "0"u8.ToArray());
        }

        return (Encoding.UTF8.GetBytes(prefix + "/"), Encoding.UTF8.GetBytes(prefix + "0"));
    }

    /// <summary>
    /// One range that covers the prefix key and its children: [prefix, prefix0). It also holds keys such as
    /// <c>prefix-x</c>, which watchers filter out; one range keeps one watch stream per prefix.
    /// </summary>
    public static (byte[] Start, byte[] End) Covering(string prefix)
    {
        if (prefix == KeyPath.Root)
        {
            return ("/"u8.ToArray(), "0"u8.ToArray());
        }

        return (Encoding.UTF8.GetBytes(prefix), Encoding.UTF8.GetBytes(prefix + "0"));
    }

    /// <summary>The smallest key after <paramref name="key"/>: the key with a NUL byte appended (used to continue a paged range).</summary>
    public static byte[] After(string key)
    {
        var count = Encoding.UTF8.GetByteCount(key);
        var bytes = new byte[count + 1];
        Encoding.UTF8.GetBytes(key, bytes);
        return bytes;
    }
}
