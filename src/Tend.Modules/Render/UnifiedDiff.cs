using System.Globalization;
using System.Text;
using DiffPlex;
using DiffPlex.Model;

namespace Tend.Modules.Render;

/// <summary>
/// A line-based unified diff (what noop mode prints), with three lines of context. The edit script
/// comes from DiffPlex (Myers' algorithm, linear memory), so a small change in a large file prints a
/// small diff; the hunks are laid out here, in the format of <c>diff -u</c>.
/// </summary>
internal static class UnifiedDiff
{
    private const int Context = 3;

    /// <summary>The diff from <paramref name="oldText"/> to <paramref name="newText"/>; empty when they are equal.</summary>
    public static string Create(string oldText, string newText, string oldLabel, string newLabel)
    {
        var result = Differ.Instance.CreateDiffs(oldText, newText, ignoreWhiteSpace: false, ignoreCase: false, LineChunker.Instance);
        var blocks = result.DiffBlocks;
        if (blocks.Count == 0)
        {
            return string.Empty;
        }

        var a = result.PiecesOld;
        var b = result.PiecesNew;
        var sb = new StringBuilder();
        sb.Append("--- ").Append(oldLabel).Append('\n');
        sb.Append("+++ ").Append(newLabel).Append('\n');
        int i = 0;
        while (i < blocks.Count)
        {
            // A hunk: the blocks whose unchanged gaps are at most 2 * Context lines, with Context lines around them.
            int last = i;
            while (last + 1 < blocks.Count && Gap(blocks[last], blocks[last + 1]) <= 2 * Context)
            {
                last++;
            }

            var first = blocks[i];
            int oldStart = Math.Max(0, first.DeleteStartA - Context);
            int offset = first.InsertStartB - first.DeleteStartA;
            int oldEnd = Math.Min(a.Count, blocks[last].DeleteStartA + blocks[last].DeleteCountA + Context);
            int newStart = oldStart + offset;
            int newEnd = Math.Min(b.Count, blocks[last].InsertStartB + blocks[last].InsertCountB + Context);
            sb.Append(CultureInfo.InvariantCulture, $"@@ -{Range(oldStart, oldEnd - oldStart)} +{Range(newStart, newEnd - newStart)} @@\n");

            int at = oldStart;
            for (int k = i; k <= last; k++)
            {
                var block = blocks[k];
                Lines(sb, ' ', a, at, block.DeleteStartA);
                Lines(sb, '-', a, block.DeleteStartA, block.DeleteStartA + block.DeleteCountA);
                Lines(sb, '+', b, block.InsertStartB, block.InsertStartB + block.InsertCountB);
                at = block.DeleteStartA + block.DeleteCountA;
            }

            Lines(sb, ' ', a, at, oldEnd);
            i = last + 1;
        }

        return sb.ToString();
    }

    /// <summary>The unchanged lines between two blocks.</summary>
    private static int Gap(DiffBlock before, DiffBlock after) => after.DeleteStartA - (before.DeleteStartA + before.DeleteCountA);

    private static void Lines(StringBuilder sb, char op, IReadOnlyList<string> lines, int from, int to)
    {
        for (int k = from; k < to; k++)
        {
            sb.Append(op).Append(lines[k]).Append('\n');
        }
    }

    private static string Range(int start, int count) =>
        count == 0 ? string.Create(CultureInfo.InvariantCulture, $"{start},0") : count == 1 ? (start + 1).ToString(CultureInfo.InvariantCulture) : string.Create(CultureInfo.InvariantCulture, $"{start + 1},{count}");

    /// <summary>Splits at <c>\n</c> only (a <c>\r</c> stays part of its line, so CRLF files diff as they are); a final newline ends the last line.</summary>
    private sealed class LineChunker : IChunker
    {
        public static readonly LineChunker Instance = new();

        public IReadOnlyList<string> Chunk(string text)
        {
            if (text.Length == 0)
            {
                return [];
            }

            var lines = text.Split('\n');
            return text.EndsWith('\n') ? lines[..^1] : lines;
        }
    }
}
