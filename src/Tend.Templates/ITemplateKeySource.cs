namespace Tend.Templates;

/// <summary>
/// The key-value snapshot confd's key functions (getv, get, gets, getvs, exists, ls, lsdir) read.
/// Keys are absolute, slash-separated (<c>/app/db/host</c>).
/// </summary>
public interface ITemplateKeySource
{
    /// <summary>The value of one key.</summary>
    bool TryGet(string key, out string value);

    /// <summary>Every key-value pair in the snapshot, sorted by key.</summary>
    IEnumerable<KVPair> All();
}
