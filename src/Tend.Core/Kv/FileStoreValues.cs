namespace Tend.Core.Kv;

/// <summary>How the file store turns a data file's scalars into key values.</summary>
public enum FileStoreValues
{
    /// <summary>
    /// Tend's own rule: a scalar keeps its text exactly as written (<c>0800</c> stays <c>0800</c>,
    /// <c>yes</c> stays <c>yes</c>); null is a key with an empty value.
    /// </summary>
    AsWritten,

    /// <summary>
    /// confd's file backend: plain scalars are resolved as YAML 1.1 (confd 0.16's YAML library) and
    /// printed back as Go prints them (<c>yes</c> → <c>true</c>, <c>0x1F</c> → <c>31</c>,
    /// <c>3.50</c> → <c>3.5</c>); null and an empty value give no key at all. Used under confd's
    /// command line, so templates written for confd see the values they saw there.
    /// </summary>
    Confd,
}
