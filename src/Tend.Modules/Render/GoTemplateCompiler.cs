using Tend.Core.Config;
using Tend.Core.Kv;
using Tend.Modules.Render.Config;
using Tend.Templates;

namespace Tend.Modules.Render;

/// <summary>The adapter to Tend's Go text/template engine with confd's function library.</summary>
internal sealed class GoTemplateCompiler : ITemplateCompiler
{
    public static GoTemplateCompiler Instance { get; } = new();

    public IResourceTemplate Compile(string path, string text, RenderMissingKey missingKey)
    {
        // confd's key functions are bound when the registry is built and a parsed template keeps its
        // registry, so each template gets a key source whose snapshot is swapped before each render.
        var keys = new SwappableKeySource();
        return Parse(path, text, Options(missingKey, FunctionRegistry.CreateConfd(keys, DnsTemplateResolver.System)), keys, dependencies: null);
    }

    public IResourceTemplate CompileResource(RenderResourceOptions resource, string text)
    {
        if (resource.Shape != RenderDataShape.ConsulTemplate)
        {
            return Compile(resource.Source, text, resource.MissingKey);
        }

        // consul-template's own function map (its key functions, helpers, and its ls/split/join,
        // which differ from confd's), its delimiters, and the record of what a render waited for.
        var keys = new SwappableKeySource();
        var dependencies = new ConsulTemplateDependencies();
        var catalog = new SwappableCatalog();
        var options = Options(resource.MissingKey, FunctionRegistry.CreateConsulTemplate(keys, dependencies, catalog)) with
        {
            LeftDelimiter = resource.LeftDelimiter,
            RightDelimiter = resource.RightDelimiter,
        };
        return Parse(resource.Source, text, options, keys, dependencies, catalog);
    }

    private static TemplateOptions Options(RenderMissingKey missingKey, FunctionRegistry functions) => new()
    {
        Functions = functions,
        MissingKey = missingKey switch
        {
            RenderMissingKey.Zero => MissingKeyMode.Zero,
            RenderMissingKey.Default => MissingKeyMode.Default,
            _ => MissingKeyMode.Error,
        },
    };

    private static Compiled Parse(string path, string text, TemplateOptions options, SwappableKeySource keys, ConsulTemplateDependencies? dependencies, SwappableCatalog? catalog = null)
    {
        try
        {
            return new Compiled(GoTemplate.Parse(Path.GetFileName(path), text, options), keys, dependencies, catalog);
        }
        catch (TemplateParseException ex)
        {
            throw new ConfigException(path, ex.Line, ex.Column, ex.Detail.Length > 0 ? ex.Detail : ex.Message, ex);
        }
    }

    public ShellCommandTemplate CompileCheckCommand(string origin, string commandTemplate) =>
        ShellCommandTemplate.Parse("check_cmd", origin, commandTemplate, "src");

    private sealed class Compiled(GoTemplate template, SwappableKeySource keys, ConsulTemplateDependencies? dependencies, SwappableCatalog? catalog) : IResourceTemplate
    {
        private readonly Lock _gate = new();

        // Only consul-template's key functions name their keys in the text; confd's read below the resource's keys.
        public IReadOnlyList<string>? KeyPrefixes { get; } = dependencies is null ? null : ConsulTemplateKeyScope.Prefixes(template);

        private static readonly System.Text.UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

        public string Render(RenderInput input, RenderLimits limits, CancellationToken cancellationToken = default)
        {
            lock (_gate)
            {
                keys.Pairs = input.Pairs;
                catalog?.Set(input.Catalog);
                dependencies?.Reset();
                try
                {
                    var text = template.RenderToString(input.Dot, EngineLimits(limits), cancellationToken);
                    ThrowIfWaiting();
                    return text;
                }
                finally
                {
                    keys.Pairs = [];
                    catalog?.Set(null);
                }
            }
        }

        public void Render(RenderInput input, Stream output, RenderLimits limits, CancellationToken cancellationToken = default)
        {
            // Encoded as it is written: a large file never exists as a string and a StringBuilder
            // besides its bytes, which for a 10 MB file is 40 MB of large-object garbage a render.
            lock (_gate)
            {
                keys.Pairs = input.Pairs;
                catalog?.Set(input.Catalog);
                dependencies?.Reset();
                try
                {
                    using (var writer = new StreamWriter(output, Utf8, bufferSize: 16 * 1024, leaveOpen: true))
                    {
                        template.Render(writer, input.Dot, EngineLimits(limits), cancellationToken);
                    }

                    ThrowIfWaiting();
                }
                finally
                {
                    keys.Pairs = [];
                    catalog?.Set(null);
                }
            }
        }

        // consul-template never writes a render that read a dependency without data; the caller keeps the old file.
        private void ThrowIfWaiting()
        {
            if (dependencies is { Missing.Count: > 0 } d)
            {
                throw new RenderWaitingException([.. d.Missing]);
            }
        }

        // The engine counts characters; a character is at least one UTF-8 byte, so the byte bound
        // holds the output to at most three times the limit until the caller checks the bytes.
        private static TemplateLimits EngineLimits(RenderLimits limits) => new()
        {
            Timeout = limits.Timeout,
            MaxOutput = limits.MaxOutput,
            MaxMemory = limits.MaxMemory,
        };
    }

    /// <summary>The catalog of the render in progress (a parsed template keeps its functions, so the catalog is swapped in).</summary>
    private sealed class SwappableCatalog : Templates.Catalog.ITemplateCatalog
    {
        private Templates.Catalog.ITemplateCatalog? _current;

        public void Set(Templates.Catalog.ITemplateCatalog? catalog) => _current = catalog;

        public bool IsAvailable => _current is { IsAvailable: true };

        public bool TryRead(Templates.Catalog.CatalogQuery query, out object? value)
        {
            value = null;
            return _current is { } c && c.TryRead(query, out value);
        }
    }

    private sealed class SwappableKeySource : ITemplateKeySource
    {
        public IReadOnlyList<KvPair> Pairs { get; set; } = [];

        public bool TryGet(string key, out string value)
        {
            string k;
            try
            {
                k = KeyPath.Normalize(key);
            }
            catch (ArgumentException)
            {
                value = string.Empty;
                return false;
            }

            // Pairs are sorted by key (ordinal): binary search.
            var pairs = Pairs;
            int lo = 0, hi = pairs.Count - 1;
            while (lo <= hi)
            {
                int mid = (lo + hi) >>> 1;
                int cmp = string.CompareOrdinal(pairs[mid].Key, k);
                if (cmp == 0)
                {
                    value = pairs[mid].Value;
                    return true;
                }

                if (cmp < 0)
                {
                    lo = mid + 1;
                }
                else
                {
                    hi = mid - 1;
                }
            }

            value = string.Empty;
            return false;
        }

        public IEnumerable<KVPair> ListUnder(string prefix)
        {
            // A plain string prefix, as the interface asks: the sorted pairs from the first key >= prefix.
            var pairs = Pairs;
            int lo = 0, hi = pairs.Count;
            while (lo < hi)
            {
                int mid = (lo + hi) >>> 1;
                if (string.CompareOrdinal(pairs[mid].Key, prefix) < 0)
                {
                    lo = mid + 1;
                }
                else
                {
                    hi = mid;
                }
            }

            for (int i = lo; i < pairs.Count && pairs[i].Key.StartsWith(prefix, StringComparison.Ordinal); i++)
            {
                yield return new KVPair(pairs[i].Key, pairs[i].Value);
            }
        }
    }
}
