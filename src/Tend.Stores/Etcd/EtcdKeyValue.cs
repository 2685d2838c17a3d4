namespace Tend.Stores.Etcd;

/// <summary>One key-value as etcd returns it (keys and values decoded from base64 and UTF-8).</summary>
internal readonly record struct EtcdKeyValue(string Key, string Value, long CreateRevision, long ModRevision, long Version, long Lease);
