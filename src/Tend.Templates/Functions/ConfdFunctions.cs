using System.Collections;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Tend.Templates.Execution;
using P = Tend.Templates.TemplateParameterType;

namespace Tend.Templates.Functions;

/// <summary>confd's template function map (resource/template/template_funcs.go plus the memkv store functions), with confd's semantics.</summary>
internal static class ConfdFunctions
{
    public static IEnumerable<TemplateFunction> All(ITemplateKeySource keys, ITemplateDnsResolver dns)
    {
        // Key store functions (memkv).
        yield return F("exists", "exists(key string) bool", "Whether the key exists.", [P.String], a => GoValues.Box(keys.TryGet(S(a[0]), out _)));
        yield return F("get", "get(key string) (KVPair, error)", "The key-value pair of a key (.Key, .Value); error when missing.", [P.String], a =>
        {
            string k = S(a[0]);
            return keys.TryGet(k, out var v) ? new KVPair(k, v) : throw NotExist(k);
        });
        yield return V("getv", "getv(key string, default ...string) (string, error)", "The value of a key; the default when missing and given, else an error.", [P.String, P.String], a =>
        {
            string k = S(a[0]);
            if (keys.TryGet(k, out var v))
            {
                return v;
            }
            return a.Length > 1 ? S(a[1]) : throw NotExist(k);
        });
        yield return F("gets", "gets(pattern string) ([]KVPair, error)", "Pairs whose key matches a path.Match glob (* stops at /), sorted by key.", [P.String], a =>
        {
            string pattern = S(a[0]);
            return MatchingPairs(keys, pattern);
        });
        yield return F("getvs", "getvs(pattern string) ([]string, error)", "Values of keys matching a path.Match glob, sorted by value.", [P.String], a =>
        {
            string pattern = S(a[0]);
            return keys.ListUnder(LiteralPrefix(pattern)).Where(kv => GoPath.Match(pattern, kv.Key)).Select(kv => kv.Value).Order(StringComparer.Ordinal).ToArray();
        });
        yield return F("ls", "ls(dir string) []string", "Sorted unique names of the direct children of dir.", [P.String], a => List(keys, S(a[0])));
        yield return F("lsdir", "lsdir(dir string) []string", "Sorted unique names of the direct children of dir that have children.", [P.String], a => ListDir(keys, S(a[0])));

        // Paths and strings.
        yield return F("base", "base(path string) string", "Last element of a slash path (path.Base).", [P.String], a => GoPath.Base(S(a[0])));
        yield return F("dir", "dir(path string) string", "All but the last element of a slash path (path.Dir).", [P.String], a => GoPath.Dir(S(a[0])));
        yield return F("split", "split(s string, sep string) []string", "strings.Split.", [P.String, P.String], a => Split(S(a[0]), S(a[1])));
        yield return F("join", "join(elems []string, sep string) string", "strings.Join.", [P.StringList, P.String], a => Join((IReadOnlyList<string>)a[0]!, S(a[1])));
        yield return F("toUpper", "toUpper(s string) string", "strings.ToUpper.", [P.String], a => S(a[0]).ToUpperInvariant());
        yield return F("toLower", "toLower(s string) string", "strings.ToLower.", [P.String], a => S(a[0]).ToLowerInvariant());
        yield return F("contains", "contains(s string, substr string) bool", "strings.Contains.", [P.String, P.String], a => GoValues.Box(S(a[0]).Contains(S(a[1]), StringComparison.Ordinal)));
        yield return F("replace", "replace(s string, old string, new string, n int) string", "strings.Replace: the first n (all when n < 0) occurrences of old replaced.", [P.String, P.String, P.String, P.Integer], a => Replace(S(a[0]), S(a[1]), S(a[2]), (long)a[3]!));
        yield return F("trimSuffix", "trimSuffix(s string, suffix string) string", "strings.TrimSuffix.", [P.String, P.String], a =>
        {
            string s = S(a[0]);
            string suffix = S(a[1]);
            return s.EndsWith(suffix, StringComparison.Ordinal) ? s[..^suffix.Length] : s;
        });

        // Data.
        yield return F("json", "json(data string) (map[string]interface {}, error)", "Parses a JSON object (numbers become float64).", [P.String], a => Json(S(a[0]), wantArray: false));
        yield return F("jsonArray", "jsonArray(data string) ([]interface {}, error)", "Parses a JSON array (numbers become float64).", [P.String], a => Json(S(a[0]), wantArray: true));
        yield return V("map", "map(pairs ...interface {}) (map[string]interface {}, error)", "Builds a map from alternating string keys and values.", [P.Any], CreateMap);
        yield return V("getenv", "getenv(name string, default ...string) string", "An environment variable; the default when it is empty.", [P.String, P.String], a =>
        {
            string v = Environment.GetEnvironmentVariable(S(a[0])) ?? "";
            return v.Length == 0 && a.Length > 1 ? S(a[1]) : v;
        });
        yield return F("datetime", "datetime() time.Time", "The current local time (use .Format with a Go layout).", [], _ => new GoTime(DateTimeOffset.Now));

        // Network and files.
        yield return F("lookupIP", "lookupIP(host string) []string", "Sorted addresses of a host; empty on error.", [P.String], a => SortedStrings(dns.LookupIP(S(a[0]))));
        yield return F("lookupIPV4", "lookupIPV4(host string) []string", "Sorted IPv4 addresses of a host; empty on error.", [P.String], a => SortedStrings(dns.LookupIP(S(a[0])).Where(ip => !ip.Contains(':', StringComparison.Ordinal))));
        yield return F("lookupIPV6", "lookupIPV6(host string) []string", "Sorted IPv6 addresses of a host; empty on error.", [P.String], a => SortedStrings(dns.LookupIP(S(a[0])).Where(ip => ip.Contains(':', StringComparison.Ordinal))));
        yield return F("lookupSRV", "lookupSRV(service string, proto string, name string) []*net.SRV", "SRV records sorted by target, port, priority, weight; empty on error.", [P.String, P.String, P.String], a =>
            dns.LookupSrv(S(a[0]), S(a[1]), S(a[2]))
                .OrderBy(r => string.Create(CultureInfo.InvariantCulture, $"{r.Target}{r.Port}{r.Priority}{r.Weight}"), StringComparer.Ordinal)
                .ToArray());
        yield return F("fileExists", "fileExists(path string) bool", "Whether a file or directory exists.", [P.String], a =>
        {
            string p = S(a[0]);
            return GoValues.Box(p.Length > 0 && (File.Exists(p) || Directory.Exists(p)));
        });
        yield return F("base64Encode", "base64Encode(s string) string", "Standard base64 encoding of the string's UTF-8 bytes.", [P.String], a => Convert.ToBase64String(Encoding.UTF8.GetBytes(S(a[0]))));
        yield return F("base64Decode", "base64Decode(s string) (string, error)", "Decodes standard base64.", [P.String], a => Base64Decode(S(a[0])));
        yield return F("parseBool", "parseBool(s string) (bool, error)", "strconv.ParseBool: 1 t T TRUE true True / 0 f F FALSE false False.", [P.String], a => GoValues.Box(ParseBool(S(a[0]))));

        // Lists.
        yield return F("reverse", "reverse(list interface {}) interface {}", "Reverses a []string or []KVPair in place and returns it.", [P.Any], a => Reverse(a[0]));
        yield return F("sortByLength", "sortByLength(list []string) []string", "Sorts strings by length, in place.", [P.StringList], a => SortInPlace((IReadOnlyList<string>)a[0]!, s => Encoding.UTF8.GetByteCount(s)));
        yield return F("sortKVByLength", "sortKVByLength(pairs []KVPair) []KVPair", "Sorts pairs by key length, in place.", [P.KVPairList], a => SortInPlace((IReadOnlyList<KVPair>)a[0]!, kv => Encoding.UTF8.GetByteCount(kv.Key)));

        // Integers.
        yield return F("add", "add(a int, b int) int", "a + b.", [P.Integer, P.Integer], a => GoValues.Box(unchecked(I(a[0]) + I(a[1]))));
        yield return F("sub", "sub(a int, b int) int", "a - b.", [P.Integer, P.Integer], a => GoValues.Box(unchecked(I(a[0]) - I(a[1]))));
        yield return F("mul", "mul(a int, b int) int", "a * b.", [P.Integer, P.Integer], a => GoValues.Box(unchecked(I(a[0]) * I(a[1]))));
        yield return F("div", "div(a int, b int) int", "a / b, truncated.", [P.Integer, P.Integer], a => GoValues.Box(Div(I(a[0]), I(a[1]), mod: false)));
        yield return F("mod", "mod(a int, b int) int", "a % b.", [P.Integer, P.Integer], a => GoValues.Box(Div(I(a[0]), I(a[1]), mod: true)));
        yield return F("seq", "seq(first int, last int) []int", "The integers first..last inclusive.", [P.Integer, P.Integer], a =>
        {
            long first = I(a[0]);
            long last = I(a[1]);
            return Seq(first, last);
        });
        yield return F("atoi", "atoi(s string) (int, error)", "strconv.Atoi.", [P.String], a => GoValues.Box(Atoi(S(a[0]))));
    }

    private static TemplateFunction F(string name, string sig, string desc, TemplateParameterType[] ps, Func<object?[], object?> f) =>
        new(name, sig, desc, ps, false, f) { PoolArguments = true };

    private static TemplateFunction V(string name, string sig, string desc, TemplateParameterType[] ps, Func<object?[], object?> f) =>
        new(name, sig, desc, ps, true, f) { PoolArguments = true };

    private static string S(object? v) => (string)v!;

    private static long I(object? v) => (long)v!;

    private static TemplateFunctionException NotExist(string key) => new($"key does not exist: {key}");

    private static string[] PathTerms(string p) => GoPath.Clean(p).Split('/');

    private static bool SamePrefixTerms(string[] prefix, string[] test)
    {
        if (test.Length < prefix.Length)
        {
            return false;
        }
        for (int i = 0; i < prefix.Length; i++)
        {
            if (prefix[i] != test[i])
            {
                return false;
            }
        }
        return true;
    }

    private static string StripKey(string key, string prefix)
    {
        if (key.StartsWith(prefix, StringComparison.Ordinal))
        {
            key = key[prefix.Length..];
        }
        return key.StartsWith('/') ? key[1..] : key;
    }

    // Every key a glob can match starts with the pattern's text before its first metacharacter.
    private static string LiteralPrefix(string pattern)
    {
        int i = pattern.AsSpan().IndexOfAny("*?[\\");
        return i < 0 ? pattern : pattern[..i];
    }

    /// <summary>
    /// The pairs whose key matches <paramref name="pattern"/>, sorted by key. A plain loop rather
    /// than LINQ: generic LINQ over the KVPair struct is not precompiled (ReadyToRun), so every
    /// onetime run would JIT it and run the first thousands of items in unoptimised code.
    /// </summary>
    private static KVPair[] MatchingPairs(ITemplateKeySource keys, string pattern)
    {
        var matches = new List<KVPair>();
        bool sorted = true;
        foreach (var kv in keys.ListUnder(LiteralPrefix(pattern)))
        {
            if (GoPath.Match(pattern, kv.Key))
            {
                sorted &= matches.Count == 0 || string.CompareOrdinal(matches[^1].Key, kv.Key) <= 0;
                matches.Add(kv);
            }
        }

        var result = matches.ToArray();
        if (!sorted)
        {
            // ListUnder promises key order; a source that breaks it still gets sorted output.
            Array.Sort(result, static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        }

        return result;
    }

    // confd scans every key; a key it can list starts with the cleaned directory (or with the
    // directory as written, for the exact-match case), so only those are read.
    private static IEnumerable<KVPair> Candidates(ITemplateKeySource keys, string filePath)
    {
        string clean = GoPath.Clean(filePath);
        if (clean == "." || !filePath.StartsWith(clean, StringComparison.Ordinal))
        {
            return keys.ListUnder("");
        }
        return keys.ListUnder(clean);
    }

    internal static string[] List(ITemplateKeySource keys, string filePath)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        var prefix = PathTerms(filePath);
        foreach (var kv in Candidates(keys, filePath))
        {
            if (kv.Key == filePath)
            {
                names.Add(GoPath.Base(kv.Key));
                continue;
            }
            var target = PathTerms(GoPath.Dir(kv.Key));
            if (SamePrefixTerms(prefix, target))
            {
                names.Add(StripKey(kv.Key, filePath).Split('/')[0]);
            }
        }
        return names.Order(StringComparer.Ordinal).ToArray();
    }

    internal static string[] ListDir(ITemplateKeySource keys, string filePath)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        var prefix = PathTerms(filePath);
        foreach (var kv in keys.ListUnder(filePath))
        {
            if (kv.Key.StartsWith(filePath, StringComparison.Ordinal))
            {
                var items = PathTerms(GoPath.Dir(kv.Key));
                if (SamePrefixTerms(prefix, items) && items.Length - prefix.Length >= 1)
                {
                    names.Add(items[prefix.Length]);
                }
            }
        }
        return names.Order(StringComparer.Ordinal).ToArray();
    }

    internal static string[] Split(string s, string sep)
    {
        if (sep.Length == 0)
        {
            var parts = new List<string>();
            for (int i = 0; i < s.Length;)
            {
                int w = char.IsSurrogatePair(s, i) ? 2 : 1;
                parts.Add(s.Substring(i, w));
                i += w;
            }
            return parts.ToArray();
        }
        return s.Split(sep);
    }

    internal static long[] Seq(long first, long last)
    {
        if (first > last)
        {
            return [];
        }

        // Go builds the whole []int eagerly too; a count that cannot be a slice length, or does not
        // fit the render's memory budget, is refused before anything is allocated.
        ulong span = unchecked((ulong)last - (ulong)first);
        if (span >= (ulong)Array.MaxLength)
        {
            throw new TemplateFunctionException($"seq of {(UInt128)span + 1} numbers is too long");
        }

        long count = (long)span + 1;

        ExecState.Current?.Reserve(count * sizeof(long), $"seq of {count} numbers");
        var result = new long[count];
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = first + i;
        }

        return result;
    }

    internal static string Join(IReadOnlyList<string> elems, string sep)
    {
        if (elems.Count > 1 && ExecState.Current is { } state)
        {
            long length = (long)sep.Length * (elems.Count - 1);
            foreach (var e in elems)
            {
                length += e.Length;
            }

            state.Reserve(length * 2, $"join of {elems.Count} strings ({length} characters)");
        }

        return string.Join(sep, elems);
    }

    internal static string Replace(string s, string oldValue, string newValue, long n)
    {
        if (oldValue == newValue || n == 0)
        {
            return s;
        }

        if (newValue.Length > oldValue.Length && ExecState.Current is { } state)
        {
            // The result's length before building it: a long replacement of a short, frequent
            // text multiplies the string, and replacing the result again multiplies it again.
            long count = oldValue.Length == 0 ? s.Length + 1 : CountOccurrences(s, oldValue);
            if (n > 0 && n < count)
            {
                count = n;
            }

            long length = s.Length + (count * (newValue.Length - oldValue.Length));
            state.Reserve(length * 2, $"replace result of {length} characters");
        }
        var sb = new StringBuilder(s.Length);
        long done = 0;
        int start = 0;
        if (oldValue.Length == 0)
        {
            // Go inserts the replacement before every rune and at the end.
            int i = 0;
            while ((n < 0 || done < n) && i <= s.Length)
            {
                sb.Append(newValue);
                done++;
                if (i == s.Length)
                {
                    i++;
                    break;
                }
                int w = char.IsSurrogatePair(s, i) ? 2 : 1;
                sb.Append(s, i, w);
                i += w;
            }
            if (i <= s.Length)
            {
                sb.Append(s, i, s.Length - i);
            }
            return sb.ToString();
        }
        while (n < 0 || done < n)
        {
            int j = s.IndexOf(oldValue, start, StringComparison.Ordinal);
            if (j < 0)
            {
                break;
            }
            sb.Append(s, start, j - start).Append(newValue);
            start = j + oldValue.Length;
            done++;
        }
        sb.Append(s, start, s.Length - start);
        return sb.ToString();
    }

    private static long CountOccurrences(string s, string value)
    {
        long count = 0;
        for (int i = s.IndexOf(value, StringComparison.Ordinal); i >= 0; i = s.IndexOf(value, i + value.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    private static object Json(string data, bool wantArray)
    {
        if (data.Trim().Length == 0)
        {
            throw new TemplateFunctionException("unexpected end of JSON input");
        }
        object? v;
        try
        {
            v = TemplateData.FromJsonAllFloat(data);
        }
        catch (JsonException e)
        {
            throw new TemplateFunctionException(e.Message);
        }
        if (v is null)
        {
            return wantArray ? new List<object?>() : new Dictionary<string, object?>();
        }
        string kind = v switch
        {
            Dictionary<string, object?> => "object",
            List<object?> => "array",
            string => "string",
            bool => "bool",
            _ => "number",
        };
        string want = wantArray ? "[]interface {}" : "map[string]interface {}";
        if ((wantArray && v is not List<object?>) || (!wantArray && v is not Dictionary<string, object?>))
        {
            throw new TemplateFunctionException($"json: cannot unmarshal {kind} into Go value of type {want}");
        }
        return v;
    }

    private static object CreateMap(object?[] a)
    {
        if (a.Length % 2 != 0)
        {
            throw new TemplateFunctionException("invalid map call");
        }
        var d = new Dictionary<string, object?>(StringComparer.Ordinal);
        for (int i = 0; i < a.Length; i += 2)
        {
            if (a[i] is not string key)
            {
                throw new TemplateFunctionException("map keys must be strings");
            }
            d[key] = a[i + 1];
        }
        return d;
    }

    private static string[] SortedStrings(IEnumerable<string> s) => s.Order(StringComparer.Ordinal).ToArray();

    internal static string Base64Decode(string s)
    {
        // Go's StdEncoding: padding required, \r and \n ignored, errors name the offending byte offset.
        var bytes = new List<byte>(s.Length);
        int si = 0;
        Span<int> quad = stackalloc int[4];
        while (si < s.Length)
        {
            int j = 0;
            int pad = 0;
            while (j < 4)
            {
                if (si == s.Length)
                {
                    if (j == 0)
                    {
                        return Encoding.UTF8.GetString(bytes.ToArray());
                    }
                    throw new TemplateFunctionException($"illegal base64 data at input byte {si - j}");
                }
                char c = s[si];
                si++;
                if (c is '\r' or '\n')
                {
                    continue;
                }
                if (c == '=')
                {
                    if (j < 2)
                    {
                        throw new TemplateFunctionException($"illegal base64 data at input byte {si - 1}");
                    }
                    pad = 4 - j;
                    if (pad == 2)
                    {
                        while (si < s.Length && s[si] is '\r' or '\n')
                        {
                            si++;
                        }
                        if (si == s.Length)
                        {
                            throw new TemplateFunctionException($"illegal base64 data at input byte {s.Length}");
                        }
                        if (s[si] != '=')
                        {
                            throw new TemplateFunctionException($"illegal base64 data at input byte {si - 1}");
                        }
                        si++;
                    }
                    while (si < s.Length && s[si] is '\r' or '\n')
                    {
                        si++;
                    }
                    if (si < s.Length)
                    {
                        throw new TemplateFunctionException($"illegal base64 data at input byte {si}");
                    }
                    break;
                }
                int v = c switch
                {
                    >= 'A' and <= 'Z' => c - 'A',
                    >= 'a' and <= 'z' => c - 'a' + 26,
                    >= '0' and <= '9' => c - '0' + 52,
                    '+' => 62,
                    '/' => 63,
                    _ => -1,
                };
                if (v < 0)
                {
                    throw new TemplateFunctionException($"illegal base64 data at input byte {si - 1}");
                }
                quad[j++] = v;
            }
            int n = j;
            int val = (quad[0] << 18) | (quad[1] << 12) | ((n > 2 ? quad[2] : 0) << 6) | (n > 3 ? quad[3] : 0);
            bytes.Add((byte)(val >> 16));
            if (n > 2)
            {
                bytes.Add((byte)(val >> 8));
            }
            if (n > 3)
            {
                bytes.Add((byte)val);
            }
            if (pad > 0)
            {
                break;
            }
        }
        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    internal static bool ParseBool(string s) => s switch
    {
        "1" or "t" or "T" or "TRUE" or "true" or "True" => true,
        "0" or "f" or "F" or "FALSE" or "false" or "False" => false,
        _ => throw new TemplateFunctionException($"strconv.ParseBool: parsing {Formatting.GoStrings.Quote(s)}: invalid syntax"),
    };

    private static long Atoi(string s)
    {
        string q = Formatting.GoStrings.Quote(s);
        string body = s;
        bool neg = false;
        if (body.Length > 0 && body[0] is '+' or '-')
        {
            neg = body[0] == '-';
            body = body[1..];
        }
        if (body.Length == 0)
        {
            throw new TemplateFunctionException($"strconv.Atoi: parsing {q}: invalid syntax");
        }
        ulong n = 0;
        bool overflow = false;
        foreach (char c in body)
        {
            if (c is < '0' or > '9')
            {
                throw new TemplateFunctionException($"strconv.Atoi: parsing {q}: invalid syntax");
            }
            if (n > (ulong.MaxValue - 9) / 10)
            {
                overflow = true;
                continue;
            }
            n = (n * 10) + (ulong)(c - '0');
        }
        if (overflow || (!neg && n > long.MaxValue) || (neg && n > (ulong)long.MaxValue + 1))
        {
            throw new TemplateFunctionException($"strconv.Atoi: parsing {q}: value out of range");
        }
        return neg ? unchecked(-(long)n) : (long)n;
    }

    private static object? Reverse(object? values)
    {
        switch (values)
        {
            case string[] or KVPair[] or List<string> or List<KVPair>:
                var list = (IList)values;
                for (int i = 0, j = list.Count - 1; i < j; i++, j--)
                {
                    (list[i], list[j]) = (list[j], list[i]);
                }
                break;
        }
        return values;
    }

    private static IReadOnlyList<T> SortInPlace<T>(IReadOnlyList<T> list, Func<T, int> length)
    {
        var sorted = list.OrderBy(length).ToArray();
        if (list is IList<T> mutable && !mutable.IsReadOnly)
        {
            for (int i = 0; i < sorted.Length; i++)
            {
                mutable[i] = sorted[i];
            }
            return list;
        }
        if (list is T[] array)
        {
            sorted.CopyTo(array, 0);
            return array;
        }
        return sorted;
    }

    private static long Div(long a, long b, bool mod)
    {
        if (b == 0)
        {
            throw new TemplateFunctionException("runtime error: integer divide by zero");
        }
        if (b == -1)
        {
            return mod ? 0 : unchecked(-a);
        }
        return mod ? a % b : a / b;
    }
}
