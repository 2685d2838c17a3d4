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
    public static List<KvPair> Parse(string path, string text)
    {
        var pairs = new List<KvPair>();
        if (IsJson(path, text))
        {
            try
            {
                using var doc = JsonDocument.Parse(text, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
                FlattenJson(path, doc.RootElement, KeyPath.Root, pairs);
            }
            catch (JsonException ex)
            {
                throw new FileStoreFormatException($"{path}:{(ex.LineNumber ?? 0) + 1}:{(ex.BytePositionInLine ?? 0) + 1}: invalid JSON: {FirstSentence(ex.Message)}", ex);
            }

            return pairs;
        }

        if (!PlainYamlReader.TryFlatten(text, pairs))
        {
            YamlFlattener.Flatten(path, text, pairs);
        }

        return pairs;
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

    private static void FlattenJson(string file, JsonElement e, string at, List<KvPair> pairs)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var p in e.EnumerateObject())
                {
                    FlattenJson(file, p.Value, Child(file, at, p.Name), pairs);
                }

                break;
            case JsonValueKind.Array:
                int i = 0;
                foreach (var item in e.EnumerateArray())
                {
                    FlattenJson(file, item, at == KeyPath.Root ? "/" + Index(i) : at + "/" + Index(i), pairs);
                    i++;
                }

                break;
            case JsonValueKind.String:
                Add(file, at, e.GetString() ?? string.Empty, pairs);
                break;
            case JsonValueKind.Null:
                Add(file, at, string.Empty, pairs);
                break;
            default:
                Add(file, at, e.GetRawText(), pairs);
                break;
        }
    }

    private static string Child(string file, string at, string name, long line = 0)
    {
        try
        {
            return KeyPath.Join(at, name);
        }
        catch (ArgumentException ex)
        {
            throw new FileStoreFormatException($"{file}:{line}: bad key '{name}': {ex.Message}", ex);
        }
    }

    private static void Add(string file, string key, string value, List<KvPair> pairs)
    {
        if (key == KeyPath.Root)
        {
            throw new FileStoreFormatException($"{file}: the document is a single value; it must be a map of keys.");
        }

        pairs.Add(new KvPair(key, value));
    }

    private static string Index(int i) => i.ToString(CultureInfo.InvariantCulture);

    private static string FirstSentence(string message)
    {
        int i = message.IndexOf(" Path:", StringComparison.Ordinal);
        return i > 0 ? message[..i] : message;
    }
}
