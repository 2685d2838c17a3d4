using System.Text;

namespace Tend.Templates.Functions;

/// <summary>Go's path package: Clean, Base, Dir and Match (slash-separated, no OS rules).</summary>
internal static class GoPath
{
    public static string Clean(string path)
    {
        if (path.Length == 0)
        {
            return ".";
        }
        bool rooted = path[0] == '/';
        int n = path.Length;
        var outBuf = new StringBuilder(n);
        int r = 0;
        int dotdot = 0;
        if (rooted)
        {
            outBuf.Append('/');
            r = 1;
            dotdot = 1;
        }
        while (r < n)
        {
            if (path[r] == '/')
            {
                r++;
            }
            else if (path[r] == '.' && (r + 1 == n || path[r + 1] == '/'))
            {
                r++;
            }
            else if (path[r] == '.' && path[r + 1] == '.' && (r + 2 == n || path[r + 2] == '/'))
            {
                r += 2;
                if (outBuf.Length > dotdot)
                {
                    int w = outBuf.Length - 1;
                    while (w > dotdot && outBuf[w] != '/')
                    {
                        w--;
                    }
                    outBuf.Length = w;
                }
                else if (!rooted)
                {
                    if (outBuf.Length > 0)
                    {
                        outBuf.Append('/');
                    }
                    outBuf.Append("..");
                    dotdot = outBuf.Length;
                }
            }
            else
            {
                if ((rooted && outBuf.Length != 1) || (!rooted && outBuf.Length != 0))
                {
                    outBuf.Append('/');
                }
                for (; r < n && path[r] != '/'; r++)
                {
                    outBuf.Append(path[r]);
                }
            }
        }
        if (outBuf.Length == 0)
        {
            return ".";
        }
        return outBuf.ToString();
    }

    public static string Base(string path)
    {
        if (path.Length == 0)
        {
            return ".";
        }
        path = path.TrimEnd('/');
        int i = path.LastIndexOf('/');
        if (i >= 0)
        {
            path = path[(i + 1)..];
        }
        return path.Length == 0 ? "/" : path;
    }

    public static string Dir(string path)
    {
        int i = path.LastIndexOf('/');
        return Clean(path[..(i + 1)]);
    }

    /// <summary>Go's path.Match; throws <see cref="TemplateFunctionException"/> with Go's ErrBadPattern text.</summary>
    /// <remarks>
    /// Works on spans: <c>gets "/hosts/*"</c> matches every key under the prefix, and slicing strings
    /// allocated a substring per character (about 12 MB of garbage for 10,000 keys in one onetime render).
    /// </remarks>
    public static bool Match(string pattern, string name) => Match(pattern.AsSpan(), name.AsSpan());

    private static bool Match(ReadOnlySpan<char> pattern, ReadOnlySpan<char> name)
    {
    Pattern:
        while (pattern.Length > 0)
        {
            bool star = false;
            while (pattern.Length > 0 && pattern[0] == '*')
            {
                pattern = pattern[1..];
                star = true;
            }
            var chunk = ScanChunk(pattern, out pattern);
            if (star && chunk.Length == 0)
            {
                return name.IndexOf('/') < 0;
            }
            if (MatchChunk(chunk, name, out var t) && (t.Length == 0 || pattern.Length > 0))
            {
                name = t;
                continue;
            }
            if (star)
            {
                for (int i = 0; i < name.Length && name[i] != '/'; i++)
                {
                    if (MatchChunk(chunk, name[(i + 1)..], out t))
                    {
                        if (pattern.Length == 0 && t.Length > 0)
                        {
                            continue;
                        }
                        name = t;
                        goto Pattern;
                    }
                }
            }
            // Go keeps scanning the rest of the pattern for syntax errors before answering false.
            while (pattern.Length > 0)
            {
                while (pattern.Length > 0 && pattern[0] == '*')
                {
                    pattern = pattern[1..];
                }
                chunk = ScanChunk(pattern, out pattern);
                MatchChunk(chunk, [], out _);
            }
            return false;
        }
        return name.Length == 0;
    }

    private static ReadOnlySpan<char> ScanChunk(ReadOnlySpan<char> pattern, out ReadOnlySpan<char> remainder)
    {
        bool inrange = false;
        int i;
        for (i = 0; i < pattern.Length; i++)
        {
            switch (pattern[i])
            {
                case '\\':
                    if (i + 1 < pattern.Length)
                    {
                        i++;
                    }
                    break;
                case '[':
                    inrange = true;
                    break;
                case ']':
                    inrange = false;
                    break;
                case '*':
                    if (!inrange)
                    {
                        remainder = pattern[i..];
                        return pattern[..i];
                    }
                    break;
            }
        }
        remainder = [];
        return pattern;
    }

    private static TemplateFunctionException BadPattern() => new("syntax error in pattern");

    private static bool MatchChunk(ReadOnlySpan<char> chunk, ReadOnlySpan<char> s, out ReadOnlySpan<char> remainder)
    {
        remainder = [];
        bool failed = false;
        while (chunk.Length > 0)
        {
            if (!failed && s.Length == 0)
            {
                failed = true;
            }
            switch (chunk[0])
            {
                case '[':
                    {
                        int r = 0;
                        if (!failed)
                        {
                            r = CodePoint(s, out int n);
                            s = s[n..];
                        }
                        chunk = chunk[1..];
                        bool negated = false;
                        if (chunk.Length > 0 && chunk[0] == '^')
                        {
                            negated = true;
                            chunk = chunk[1..];
                        }
                        bool match = false;
                        int nrange = 0;
                        while (true)
                        {
                            if (chunk.Length > 0 && chunk[0] == ']' && nrange > 0)
                            {
                                chunk = chunk[1..];
                                break;
                            }
                            int lo = GetEsc(chunk, out chunk);
                            int hi = lo;
                            if (chunk.Length > 0 && chunk[0] == '-')
                            {
                                hi = GetEsc(chunk[1..], out chunk);
                            }
                            if (lo <= r && r <= hi)
                            {
                                match = true;
                            }
                            nrange++;
                        }
                        if (match == negated)
                        {
                            failed = true;
                        }
                        break;
                    }
                case '?':
                    if (!failed)
                    {
                        if (s[0] == '/')
                        {
                            failed = true;
                        }
                        s = s[(s.Length > 1 && char.IsSurrogatePair(s[0], s[1]) ? 2 : 1)..];
                    }
                    chunk = chunk[1..];
                    break;
                case '\\':
                    chunk = chunk[1..];
                    if (chunk.Length == 0)
                    {
                        throw BadPattern();
                    }
                    goto default;
                default:
                    if (!failed)
                    {
                        if (chunk[0] != s[0])
                        {
                            failed = true;
                        }
                        s = s[1..];
                    }
                    chunk = chunk[1..];
                    break;
            }
        }
        if (failed)
        {
            return false;
        }
        remainder = s;
        return true;
    }

    private static int GetEsc(ReadOnlySpan<char> chunk, out ReadOnlySpan<char> remainder)
    {
        if (chunk.Length == 0 || chunk[0] == '-' || chunk[0] == ']')
        {
            throw BadPattern();
        }
        if (chunk[0] == '\\')
        {
            chunk = chunk[1..];
            if (chunk.Length == 0)
            {
                throw BadPattern();
            }
        }
        int r = CodePoint(chunk, out int n);
        chunk = chunk[n..];
        if (chunk.Length == 0)
        {
            throw BadPattern();
        }
        remainder = chunk;
        return r;
    }

    /// <summary>The code point at the start of <paramref name="s"/> and its length in chars, as char.ConvertToUtf32 reads it.</summary>
    private static int CodePoint(ReadOnlySpan<char> s, out int chars)
    {
        if (s.Length > 1 && char.IsSurrogatePair(s[0], s[1]))
        {
            chars = 2;
            return char.ConvertToUtf32(s[0], s[1]);
        }

        chars = 1;
        // A lone surrogate fails as it always did (char.ConvertToUtf32 rejects it); rare enough to build a string for.
        return char.IsSurrogate(s[0]) ? char.ConvertToUtf32(new string(s[..1]), 0) : s[0];
    }
}
