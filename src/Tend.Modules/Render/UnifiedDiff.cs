using System.Globalization;
using System.Text;

namespace Tend.Modules.Render;

/// <summary>A line-based unified diff (what noop mode prints), with three lines of context.</summary>
internal static class UnifiedDiff
{
    private const int Context = 3;

    // Above this many cells the middle part is shown as one replaced block instead of a minimal diff:
    // noop output stays correct, just less minimal, and memory stays bounded.
    private const long MaxCells = 4_000_000;

    /// <summary>The diff from <paramref name="oldText"/> to <paramref name="newText"/>; empty when they are equal.</summary>
    public static string Create(string oldText, string newText, string oldLabel, string newLabel)
    {
        var a = Lines(oldText);
        var b = Lines(newText);
        var edits = Edits(a, b);
        if (edits.All(e => e.Op == ' '))
        {
            return string.Empty;
        }

        var sb = new StringBuilder();
        sb.Append("--- ").Append(oldLabel).Append('\n');
        sb.Append("+++ ").Append(newLabel).Append('\n');
        int i = 0;
        while (i < edits.Count)
        {
            if (edits[i].Op == ' ')
            {
                i++;
                continue;
            }

            // A hunk: from Context lines before this change to Context lines after the last change
            // that is no more than 2 * Context unchanged lines away.
            int start = Math.Max(0, i - Context);
            int end = i;
            while (true)
            {
                while (end < edits.Count && edits[end].Op != ' ')
                {
                    end++;
                }

                int run = 0;
                while (end + run < edits.Count && edits[end + run].Op == ' ')
                {
                    run++;
                }

                if (end + run < edits.Count && run <= 2 * Context)
                {
                    end += run;
                    continue;
                }

                end = Math.Min(edits.Count, end + Context);
                break;
            }

            int oldStart = edits[start].OldLine, newStart = edits[start].NewLine;
            int oldCount = edits.Skip(start).Take(end - start).Count(e => e.Op != '+');
            int newCount = edits.Skip(start).Take(end - start).Count(e => e.Op != '-');
            sb.Append(CultureInfo.InvariantCulture, $"@@ -{Range(oldStart, oldCount)} +{Range(newStart, newCount)} @@\n");
            for (int k = start; k < end; k++)
            {
                sb.Append(edits[k].Op).Append(edits[k].Text).Append('\n');
            }

            i = end;
        }

        return sb.ToString();
    }

    private static string Range(int start, int count) =>
        count == 0 ? string.Create(CultureInfo.InvariantCulture, $"{start},0") : count == 1 ? (start + 1).ToString(CultureInfo.InvariantCulture) : string.Create(CultureInfo.InvariantCulture, $"{start + 1},{count}");

    private static string[] Lines(string text)
    {
        if (text.Length == 0)
        {
            return [];
        }

        var lines = text.Split('\n');
        return text.EndsWith('\n') ? lines[..^1] : lines;
    }

    private readonly record struct Edit(char Op, string Text, int OldLine, int NewLine);

    private static List<Edit> Edits(string[] a, string[] b)
    {
        int prefix = 0;
        while (prefix < a.Length && prefix < b.Length && a[prefix] == b[prefix])
        {
            prefix++;
        }

        int suffix = 0;
        while (suffix < a.Length - prefix && suffix < b.Length - prefix && a[a.Length - 1 - suffix] == b[b.Length - 1 - suffix])
        {
            suffix++;
        }

        var edits = new List<Edit>(a.Length + b.Length);
        int oi = 0, ni = 0;
        for (; oi < prefix; oi++, ni++)
        {
            edits.Add(new Edit(' ', a[oi], oi, ni));
        }

        int n = a.Length - prefix - suffix, m = b.Length - prefix - suffix;
        if ((long)n * m <= MaxCells && n > 0 && m > 0)
        {
            // Longest common subsequence over the differing middle.
            var lcs = new int[n + 1, m + 1];
            for (int x = n - 1; x >= 0; x--)
            {
                for (int y = m - 1; y >= 0; y--)
                {
                    lcs[x, y] = a[prefix + x] == b[prefix + y] ? lcs[x + 1, y + 1] + 1 : Math.Max(lcs[x + 1, y], lcs[x, y + 1]);
                }
            }

            int p = 0, q = 0;
            while (p < n || q < m)
            {
                if (p < n && q < m && a[prefix + p] == b[prefix + q])
                {
                    edits.Add(new Edit(' ', a[oi], oi++, ni++));
                    p++;
                    q++;
                }
                else if (p < n && (q == m || lcs[p + 1, q] >= lcs[p, q + 1]))
                {
                    edits.Add(new Edit('-', a[oi], oi++, ni));
                    p++;
                }
                else
                {
                    edits.Add(new Edit('+', b[ni], oi, ni++));
                    q++;
                }
            }
        }
        else
        {
            for (int k = 0; k < n; k++)
            {
                edits.Add(new Edit('-', a[oi], oi++, ni));
            }

            for (int k = 0; k < m; k++)
            {
                edits.Add(new Edit('+', b[ni], oi, ni++));
            }
        }

        for (; oi < a.Length; oi++, ni++)
        {
            edits.Add(new Edit(' ', a[oi], oi, ni));
        }

        return edits;
    }
}
