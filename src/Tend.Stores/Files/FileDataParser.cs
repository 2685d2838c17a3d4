using System.Globalization;
using System.Text.Json;
using Tend.Core.Kv;

namespace Tend.Stores.Files;

/// <summary>
/// Turns a YAML or JSON data file into key/value pairs: nested maps become <c>/a/b/c</c>, list
/// items <c>/a/0</c>, <c>/a/1</c>; a map key may itself be a path (<c>"/a/b": x</c>) so a key can
/// hold a value and have children. Scalars keep their text as written (<c>0800</c> stays
/// <c>0800</c>); null is the empty string.
/// </summary>
internal static class FileDataParser
{
    /// <summary>The pairs of one file, with the default limits (keys that are not clean paths are left out).</summary>
    public static List<KvPair> Parse(string path, string text)
    {
        var pairs = new List<KvPair>();
        Parse(path, text, pairs, new DataFileLoad(DataFileLimits.Default));
        return pairs;
    }

    /// <summary>Appends the pairs of one file to <paramref name="pairs"/>, counting them against <paramref name="load"/>'s limits.</summary>
    /// <exception cref="FileStoreFormatException">The text does not parse or goes past a limit; the message names file and line.</exception>
    public static void Parse(string path, string text, List<KvPair> pairs, DataFileLoad load)
    {
        if (IsJson(path, text))
        {
            try
            {
                using var doc = JsonDocument.Parse(text, new JsonDocumentOptions
                {
                    CommentHandling = JsonCommentHandling.Skip,
                    AllowTrailingCommas = true,
                    MaxDepth = DataFileLimits.MaxDepth,
                });
                new JsonFlattener(path, load, pairs).Flatten(doc.RootElement, KeyPath.Root);
            }
            catch (JsonException ex)
            {
                throw new FileStoreFormatException($"{path}:{(ex.LineNumber ?? 0) + 1}:{(ex.BytePositionInLine ?? 0) + 1}: invalid JSON: {FirstSentence(ex.Message)}", ex);
            }

            return;
        }

        if (!PlainYamlReader.TryFlatten(path, text, pairs, load))
        {
            YamlFlattener.Flatten(path, text, pairs, load);
        }
    }

    private static bool IsJson(string path, string text)
    {
        var ext = Path.GetExtension(path);
        if (ext.Equals(".json", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (ext.Equals(".yaml", StringComparison.OrdinalIgnoreCase) || ext.Equals(".yml", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var t = text.TrimStart();
        return t.StartsWith('{') || t.StartsWith('[');
    }

    private sealed class JsonFlattener(string file, DataFileLoad load, List<KvPair> pairs)
    {
        public void Flatten(JsonElement e, string at)
        {
            switch (e.ValueKind)
            {
                case JsonValueKind.Object:
                    foreach (var p in e.EnumerateObject())
                    {
                        if (DataKeys.TryChild(at, p.Name, out var key, out var problem))
                        {
                            Flatten(p.Value, key);
                        }
                        else
                        {
                            load.Skip(DataKeys.Raw(at, p.Name), $"{file}: {problem}");
                        }
                    }

                    break;
                case JsonValueKind.Array:
                    int i = 0;
                    foreach (var item in e.EnumerateArray())
                    {
                        Flatten(item, at == KeyPath.Root ? "/" + Index(i) : at + "/" + Index(i));
                        i++;
                    }

                    break;
                case JsonValueKind.String:
                    Add(at, e.GetString() ?? string.Empty);
                    break;
                case JsonValueKind.Null:
                    if (load.Values == FileStoreValues.AsWritten)
                    {
                        Add(at, string.Empty); // confd reads JSON as YAML: null gives no key
                    }

                    break;
                case JsonValueKind.Number when load.Values == FileStoreValues.Confd:
                    // As a plain YAML scalar: 1.50 → 1.5, 1E+2 → 100, 1e5 stays 1e5, as confd prints them.
                    if (ConfdScalar.Plain(e.GetRawText()) is { } number)
                    {
                        Add(at, number);
                    }

                    break;
                default:
                    Add(at, e.GetRawText());
                    break;
            }
        }

        private void Add(string key, string value)
        {
            if (key == KeyPath.Root)
            {
                throw new FileStoreFormatException($"{file}: the document is a single value; it must be a map of keys.");
            }

            load.Count(file, 0);
            pairs.Add(new KvPair(key, value));
        }
    }

    private static string Index(int i) => i.ToString(CultureInfo.InvariantCulture);

    private static string FirstSentence(string message)
    {
        int i = message.IndexOf(" Path:", StringComparison.Ordinal);
        return i > 0 ? message[..i] : message;
    }
}
