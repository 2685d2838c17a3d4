using System.Globalization;
using Tend.Core.Kv;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Tend.Stores.Files;

/// <summary>
/// Flattens YAML straight from the parser's events into key/value pairs, without building a
/// document tree first: a 10,000-entry data file is read in one pass, and the process that only
/// renders once does not pay for a node model it throws away. Aliases replay the pairs their
/// anchor produced, under the alias's own key.
/// </summary>
/// <remarks>
/// An anchor is remembered as the slice of the output its node produced, not as a copy, so nesting
/// anchors costs nothing; only alias replays copy, and those are counted
/// (<see cref="DataFileLimits.MaxAliasExpansion"/>), as is every key produced
/// (<see cref="DataFileLimits.MaxKeys"/>) and the nesting depth — a 300-byte "billion laughs" file
/// is refused after a bounded amount of work instead of exhausting memory.
/// </remarks>
internal sealed class YamlFlattener
{
    private readonly string _file;
    private readonly IParser _parser;
    private readonly DataFileLoad _load;
    private int _aliasCopies;
    private int _depth;

    // Per document, as YAML scopes anchors: where the anchored node's pairs are, and the raw text of
    // anchored scalars for aliases used as map keys.
    private readonly Dictionary<string, Anchor> _anchors = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _scalarAnchors = new(StringComparer.Ordinal);

    private YamlFlattener(string file, IParser parser, DataFileLoad load)
    {
        _file = file;
        _parser = parser;
        _load = load;
    }

    /// <summary>Appends the pairs of every document in <paramref name="text"/> to <paramref name="pairs"/>, with the default limits.</summary>
    /// <exception cref="FileStoreFormatException">The text is not YAML, or not a map of keys; the message names file, line and column.</exception>
    public static void Flatten(string file, string text, List<KvPair> pairs) =>
        Flatten(file, text, pairs, new DataFileLoad(DataFileLimits.Default));

    /// <summary>Appends the pairs of every document in <paramref name="text"/> to <paramref name="pairs"/>, within <paramref name="load"/>'s limits.</summary>
    /// <exception cref="FileStoreFormatException">The text is not YAML, not a map of keys, or goes past a limit; the message names file, line and column.</exception>
    public static void Flatten(string file, string text, List<KvPair> pairs, DataFileLoad load)
    {
        using var reader = new StringReader(text);
        var scanner = new Scanner(reader);
        try
        {
            new YamlFlattener(file, new Parser(scanner), load).Run(pairs);
        }
        catch (YamlException ex)
        {
            var inner = ex.InnerException is YamlException ie ? ie : ex;
            throw new FileStoreFormatException($"{file}:{inner.Start.Line}:{inner.Start.Column}: invalid YAML: {inner.Message}", ex);
        }
        catch (InvalidOperationException ex)
        {
            // YamlDotNet's scanner throws this (not a YamlException) on some unterminated flow
            // collections; its position still says where the reading stopped.
            var at = scanner.CurrentPosition;
            throw new FileStoreFormatException($"{file}:{at.Line}:{at.Column}: invalid YAML: unterminated flow collection or scalar", ex);
        }
    }

    private void Run(List<KvPair> pairs)
    {
        _parser.Consume<StreamStart>();
        while (!_parser.TryConsume<StreamEnd>(out _))
        {
            _parser.Consume<DocumentStart>();
            _anchors.Clear();
            _scalarAnchors.Clear();
            int before = pairs.Count;
            Node(KeyPath.Root, pairs);
            for (int i = before; i < pairs.Count; i++)
            {
                if (pairs[i].Key == KeyPath.Root)
                {
                    throw new FileStoreFormatException($"{_file}: the document is a single value; it must be a map of keys.");
                }
            }

            _parser.Consume<DocumentEnd>();
        }
    }

    /// <summary>Reads one node (the parser's current event and all that belong to it) into pairs under <paramref name="at"/>.</summary>
    private void Node(string at, List<KvPair> into)
    {
        var current = _parser.Current ?? throw new YamlException("unexpected end of input");
        if (current is AnchorAlias alias)
        {
            _parser.MoveNext();
            Replay(alias, at, into);
            return;
        }

        if (current is NodeEvent { Anchor.IsEmpty: false } anchored)
        {
            int start = into.Count;
            Content(at, into);
            _anchors[anchored.Anchor.Value] = new Anchor(into, start, into.Count, at);
            return;
        }

        Content(at, into);
    }

    private void Content(string at, List<KvPair> into)
    {
        var current = _parser.Current!;
        if (current is MappingStart or SequenceStart && ++_depth > DataFileLimits.MaxDepth)
        {
            throw new FileStoreFormatException($"{_file}:{current.Start.Line}:{current.Start.Column}: maps and lists are nested deeper than {DataFileLimits.MaxDepth} levels");
        }

        switch (current)
        {
            case Scalar scalar:
                _parser.MoveNext();
                if (!scalar.Anchor.IsEmpty)
                {
                    _scalarAnchors[scalar.Anchor.Value] = scalar.Value;
                }

                if (ScalarValue(scalar) is { } value)
                {
                    Add(into, at, value, scalar.Start.Line);
                }

                break;
            case MappingStart:
                _parser.MoveNext();
                Mapping(at, into);
                _depth--;
                break;
            case SequenceStart:
                _parser.MoveNext();
                int i = 0;
                while (!_parser.TryConsume<SequenceEnd>(out _))
                {
                    var index = i.ToString(CultureInfo.InvariantCulture);
                    Node(at == KeyPath.Root ? "/" + index : at + "/" + index, into);
                    i++;
                }

                _depth--;
                break;
            default:
                throw new YamlException(current.Start, current.End, $"unexpected {current.GetType().Name}");
        }
    }

    private void Mapping(string at, List<KvPair> into)
    {
        // A mapping with the same key twice is an error, as in YAML: silently keeping one of two
        // values would hide an editing mistake.
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (!_parser.TryConsume<MappingEnd>(out _))
        {
            var keyEvent = _parser.Current!;
            string name;
            if (keyEvent is Scalar key)
            {
                _parser.MoveNext();
                name = key.Value;
                if (!key.Anchor.IsEmpty)
                {
                    _scalarAnchors[key.Anchor.Value] = key.Value;
                    List<KvPair> keyAsValue = ScalarValue(key) is { } value ? [new KvPair(KeyPath.Root, value)] : [];
                    _anchors[key.Anchor.Value] = new Anchor(keyAsValue, 0, keyAsValue.Count, KeyPath.Root);
                }
            }
            else if (keyEvent is AnchorAlias alias && _scalarAnchors.TryGetValue(alias.Value.Value, out var text))
            {
                _parser.MoveNext();
                name = text;
            }
            else if (keyEvent is AnchorAlias undefined && !_anchors.ContainsKey(undefined.Value.Value))
            {
                throw NotDefined(undefined);
            }
            else
            {
                throw new FileStoreFormatException($"{_file}:{keyEvent.Start.Line}:{keyEvent.Start.Column}: a map key must be a plain value.");
            }

            if (!seen.Add(name))
            {
                throw new YamlException(keyEvent.Start, keyEvent.End, "Duplicate key");
            }

            if (DataKeys.TryChild(at, name, out var child, out var problem))
            {
                Node(child, into);
            }
            else
            {
                // Reported, and its value read aside: anchors defined in it stay usable, and its
                // keys still count against the limits.
                _load.Skip(DataKeys.Raw(at, name), $"{_file}:{keyEvent.Start.Line}: {problem}");
                Node(at, []);
            }
        }
    }

    /// <summary>Copies the pairs an anchor produced to below <paramref name="at"/>.</summary>
    private void Replay(AnchorAlias alias, string at, List<KvPair> into)
    {
        if (!_anchors.TryGetValue(alias.Value.Value, out var anchor))
        {
            throw NotDefined(alias);
        }

        int count = anchor.End - anchor.Start;
        if (count > _load.Limits.MaxAliasExpansion - _aliasCopies)
        {
            throw new FileStoreFormatException(
                $"{_file}:{alias.Start.Line}:{alias.Start.Column}: aliases copy more than {_load.Limits.MaxAliasExpansion.ToString("N0", CultureInfo.InvariantCulture)} keys " +
                "(max_alias_expansion in [store]; nested aliases multiply, as in a \"billion laughs\" file); the file is not loaded");
        }

        _aliasCopies += count;
        _load.Count(_file, alias.Start.Line, count);
        for (int i = anchor.Start; i < anchor.End; i++)
        {
            // Read by index: the slice may be part of the list being appended to.
            var p = anchor.Pairs[i];
            into.Add(new KvPair(Under(at, Relative(p.Key, anchor.At)), p.Value));
        }
    }

    private void Add(List<KvPair> into, string key, string value, long line)
    {
        _load.Count(_file, line);
        into.Add(new KvPair(key, value));
    }

    private static YamlException NotDefined(AnchorAlias alias) =>
        new(alias.Start, alias.End, $"alias *{alias.Value.Value} refers to no anchor defined before it");

    /// <summary>The value <paramref name="scalar"/> gives its key; <c>null</c> when it gives no key (a null, as confd reads it).</summary>
    private string? ScalarValue(Scalar scalar)
    {
        if (_load.Values == FileStoreValues.AsWritten)
        {
            return scalar.Style == ScalarStyle.Plain && scalar.Value is "~" or "null" or "Null" or "NULL" ? string.Empty : scalar.Value;
        }

        if (scalar.Tag.IsEmpty)
        {
            return scalar.Style == ScalarStyle.Plain ? ConfdScalar.Plain(scalar.Value) : scalar.Value;
        }

        try
        {
            return ConfdScalar.Tagged(scalar.Tag.Value, scalar.Value);
        }
        catch (FormatException ex)
        {
            throw new FileStoreFormatException($"{_file}:{scalar.Start.Line}:{scalar.Start.Column}: {ex.Message}", ex);
        }
    }

    /// <summary><paramref name="key"/>, produced below <paramref name="anchorAt"/>, relative to it (the anchor's own key gives the root).</summary>
    private static string Relative(string key, string anchorAt) =>
        anchorAt == KeyPath.Root ? key : key.Length == anchorAt.Length ? KeyPath.Root : key[anchorAt.Length..];

    /// <summary><paramref name="relative"/> (a normalized key relative to an anchored node) placed under <paramref name="at"/>.</summary>
    private static string Under(string at, string relative) =>
        at == KeyPath.Root ? relative : relative == KeyPath.Root ? at : at + relative;

    /// <summary>Where an anchored node's pairs are: <c>Pairs[Start..End)</c>, produced below <c>At</c>.</summary>
    private readonly record struct Anchor(List<KvPair> Pairs, int Start, int End, string At);
}
