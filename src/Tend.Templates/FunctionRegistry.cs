using System.Collections;
using Tend.Templates.Functions;

namespace Tend.Templates;

/// <summary>
/// The functions templates may call, by name. Start from <see cref="CreateBuiltins"/> (Go's
/// predefined functions) or <see cref="CreateConfd"/> (those plus confd's function map), add your
/// own with <see cref="Add"/>; a later registration replaces an earlier one of the same name, as
/// a Go FuncMap overrides a builtin. Parsing snapshots the registry, so a parsed template never
/// changes when the registry does.
/// </summary>
public sealed class FunctionRegistry : IEnumerable<TemplateFunction>
{
    private readonly Dictionary<string, TemplateFunction> _functions = new(StringComparer.Ordinal);

    /// <summary>Go text/template's builtins: and, or, not, len, index, slice, call, html, js, urlquery, print, printf, println, eq, ne, lt, le, gt, ge.</summary>
    public static FunctionRegistry CreateBuiltins()
    {
        var r = new FunctionRegistry();
        foreach (var f in Builtins.All())
        {
            r.Add(f);
        }
        return r;
    }

    /// <summary>The builtins plus confd's full function map; the key functions read <paramref name="keys"/>.</summary>
    /// <param name="keys">The key-value snapshot <c>getv</c>, <c>ls</c> and friends read.</param>
    /// <param name="dns">The resolver behind lookupIP/lookupSRV (the library does no DNS of its own).</param>
    public static FunctionRegistry CreateConfd(ITemplateKeySource keys, ITemplateDnsResolver dns)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(dns);
        var r = CreateBuiltins();
        foreach (var f in ConfdFunctions.All(keys, dns))
        {
            r.Add(f);
        }
        return r;
    }

    /// <summary>
    /// The builtins plus consul-template's functions: the key functions (<c>key</c>, <c>keyExists</c>,
    /// <c>keyOrDefault</c>, <c>ls</c>, <c>safeLs</c>, <c>tree</c>, <c>safeTree</c>) over <paramref name="keys"/>
    /// with paths relative to the KV root, <c>file</c>, and its helpers. What a render waited for (a
    /// missing key read with <c>key</c>, an empty <c>safeLs</c>) goes to <paramref name="dependencies"/>.
    /// The catalog functions (<c>service</c>, <c>services</c>, <c>node</c>, <c>nodes</c>, <c>datacenters</c>) read
    /// <paramref name="catalog"/>; without one (or while it is not available) they fail naming themselves.
    /// </summary>
    /// <param name="keys">The key-value snapshot, keys absolute (<c>/app/db/host</c>).</param>
    /// <param name="dependencies">Collects the dependencies a render found without data.</param>
    /// <param name="catalog">The Consul catalog the catalog functions read, or null for a store of keys only.</param>
    /// <param name="now">The clock behind <c>timestamp</c> (default: the system clock).</param>
    public static FunctionRegistry CreateConsulTemplate(ITemplateKeySource keys, ConsulTemplateDependencies dependencies, Catalog.ITemplateCatalog? catalog = null, Func<DateTimeOffset>? now = null)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(dependencies);
        var r = CreateBuiltins();
        foreach (var f in ConsulTemplateFunctions.Kv(keys, dependencies)
            .Append(ConsulTemplateFunctions.File(dependencies))
            .Concat(ConsulTemplateHelpers.All(now ?? (() => DateTimeOffset.UtcNow)))
            .Concat(ConsulCatalogFunctions.All(catalog, dependencies)))
        {
            r.Add(f);
        }

        return r;
    }

    /// <summary>Number of functions.</summary>
    public int Count => _functions.Count;

    /// <summary>Adds or replaces a function.</summary>
    public FunctionRegistry Add(TemplateFunction function)
    {
        ArgumentNullException.ThrowIfNull(function);
        _functions[function.Name] = function;
        return this;
    }

    /// <summary>Looks a function up by name.</summary>
    public bool TryGet(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out TemplateFunction? function) =>
        _functions.TryGetValue(name, out function);

    /// <summary>An independent copy (what a parsed template keeps).</summary>
    public FunctionRegistry Clone()
    {
        var r = new FunctionRegistry();
        foreach (var f in _functions.Values)
        {
            r.Add(f);
        }
        return r;
    }

    /// <summary>The functions sorted by name.</summary>
    public IEnumerator<TemplateFunction> GetEnumerator() =>
        _functions.Values.OrderBy(f => f.Name, StringComparer.Ordinal).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
