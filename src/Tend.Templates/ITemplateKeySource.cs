namespace Tend.Templates;

/// <summary>
/// The key-value snapshot confd's key functions (getv, get, gets, getvs, exists, ls, lsdir) read.
/// Keys are slash-separated and normally absolute (<c>/app/db/host</c>).
/// </summary>
public interface ITemplateKeySource
{
    /// <summary>The value of one key.</summary>
    bool TryGet(string key, out string value);

    /// <summary>
    /// Every pair whose key starts with <paramref name="prefix"/> (a plain string prefix, so
    /// <c>/app</c> also yields <c>/apple</c>), sorted by key in ordinal order; <c>""</c> yields all.
    /// </summary>
    IEnumerable<KVPair> ListUnder(string prefix);
}
