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
internal sealed class YamlFlattener
{
    private readonly string _file;
    private readonly IParser _parser;

    // Per document, as YAML scopes anchors: the anchored node's pairs keyed relative to the node
    // itself (the root key for a scalar), and the raw text of anchored scalars for aliases used as map keys.
    private readonly Dictionary<string, List<KvPair>> _anchors = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _scalarAnchors = new(StringComparer.Ordinal);

    private YamlFlattener(string file, IParser parser)
    {
        _file = file;
        _parser = parser;
    }

    /// <summary>Appends the pairs of every document in <paramref name="text"/> to <paramref name="pairs"/>.</summary>
    /// <exception cref="FileStoreFormatException">The text is not YAML, or not a map of keys; the message names file, line and column.</exception>
    public static void Flatten(string file, string text, List<KvPair> pairs)
    {
        using var reader = new StringReader(text);
        var scanner = new Scanner(reader);
        try
        {
            new YamlFlattener(file, new Parser(scanner)).Run(pairs);
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
            foreach (var p in Recorded(alias))
            {
                into.Add(new KvPair(Under(at, p.Key), p.Value));
            }

            return;
        }

        if (current is NodeEvent { Anchor.IsEmpty: false } anchored)
        {
            var recorded = new List<KvPair>();
            Content(KeyPath.Root, recorded);
            _anchors[anchored.Anchor.Value] = recorded;
            foreach (var p in recorded)
            {
                into.Add(new KvPair(Under(at, p.Key), p.Value));
            }

            return;
        }

        Content(at, into);
    }

    private void Content(string at, List<KvPair> into)
    {
        switch (_parser.Current)
        {
            case Scalar scalar:
                _parser.MoveNext();
                if (!scalar.Anchor.IsEmpty)
                {
                    _scalarAnchors[scalar.Anchor.Value] = scalar.Value;
                }

                into.Add(new KvPair(at, ScalarValue(scalar)));
                break;
            case MappingStart:
                _parser.MoveNext();
                Mapping(at, into);
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

                break;
            default:
                throw new YamlException(_parser.Current!.Start, _parser.Current.End, $"unexpected {_parser.Current.GetType().Name}");
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
                    _anchors[key.Anchor.Value] = [new KvPair(KeyPath.Root, ScalarValue(key))];
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

            Node(Child(at, name, keyEvent.Start.Line), into);
        }
    }

    private List<KvPair> Recorded(AnchorAlias alias) =>
        _anchors.TryGetValue(alias.Value.Value, out var recorded) ? recorded : throw NotDefined(alias);

    private static YamlException NotDefined(AnchorAlias alias) =>
        new(alias.Start, alias.End, $"alias *{alias.Value.Value} refers to no anchor defined before it");

    private static string ScalarValue(Scalar scalar) =>
        scalar.Style == ScalarStyle.Plain && scalar.Value is "~" or "null" or "Null" or "NULL" ? string.Empty : scalar.Value;

    /// <summary><paramref name="relative"/> (a normalized key relative to an anchored node) placed under <paramref name="at"/>.</summary>
    private static string Under(string at, string relative) =>
        at == KeyPath.Root ? relative : relative == KeyPath.Root ? at : at + relative;

    private string Child(string at, string name, long line)
    {
        try
        {
            return KeyPath.Join(at, name);
        }
        catch (ArgumentException ex)
        {
            throw new FileStoreFormatException($"{_file}:{line}: bad key '{name}': {ex.Message}", ex);
        }
    }
}
