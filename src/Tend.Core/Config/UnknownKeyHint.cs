namespace Tend.Core.Config;

/// <summary>
/// The " (did you mean "x"?)" an unknown-key error ends with: the known key closest to the one
/// written, by edit distance, when it is at most two edits away; empty when none is.
/// </summary>
internal static class UnknownKeyHint
{
    public static string For(string key, IEnumerable<string> known)
    {
        var suggestion = known.Select(k => (k, d: Distance(k, key))).Where(x => x.d <= 2).OrderBy(x => x.d).Select(x => x.k).FirstOrDefault();
        return suggestion is null ? string.Empty : $" (did you mean \"{suggestion}\"?)";
    }

    private static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (int j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (int i = 1; i <= a.Length; i++)
        {
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
            }
        }

        return d[a.Length, b.Length];
    }
}
