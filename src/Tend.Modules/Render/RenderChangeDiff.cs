using System.Buffers;
using System.Text;
using Microsoft.Win32.SafeHandles;
using System.Text.RegularExpressions;

namespace Tend.Modules.Render;

/// <summary>
/// The last change of a rendered file as a unified diff, for <c>/status</c> and the status page. It shows
/// only what any local user could read anyway: nothing of a file that is not world-readable, of a file
/// larger than <see cref="MaxFileBytes"/>, and no line that looks like a credential.
/// </summary>
internal static partial class RenderChangeDiff
{
    /// <summary>Files larger than this (before or after) get no diff: reading and comparing them on every change is not worth it.</summary>
    public const int MaxFileBytes = 1 << 20;

    /// <summary>A longer diff is cut here.</summary>
    public const int MaxDiffChars = 64 * 1024;

    private const string WithheldLine = "[line withheld: it looks like a credential]";

    /// <summary>
    /// The old text to diff against, read from <paramref name="replaced"/> (the file a commit just replaced, still
    /// open), or null when no diff can be kept: no readable file, or one that is too large or not world-readable.
    /// </summary>
    public static string? ReadOld(SafeFileHandle? replaced, int newLength)
    {
        if (replaced is null || newLength > MaxFileBytes)
        {
            return null;
        }

        try
        {
            long length = RandomAccess.GetLength(replaced);
            if (length > MaxFileBytes || (File.GetUnixFileMode(replaced) & UnixFileMode.OtherRead) == 0)
            {
                return null;
            }

            var buffer = ArrayPool<byte>.Shared.Rent((int)length + 1);
            try
            {
                int total = 0, n;
                while (total < buffer.Length && (n = RandomAccess.Read(replaced, buffer.AsSpan(total), total)) > 0)
                {
                    total += n;
                }

                // Grown since the length was taken: not the file the length described; no diff rather than a wrong one.
                return total > length ? null : Encoding.UTF8.GetString(buffer, 0, total);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The diff of a change just written to <paramref name="destination"/>, or why there is none to show.</summary>
    public static string Create(string destination, string? oldText, ReadOnlySpan<byte> newContent)
    {
        UnixFileMode mode;
        try
        {
            mode = File.GetUnixFileMode(destination);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return $"(no diff: {ex.Message})";
        }

        if ((mode & UnixFileMode.OtherRead) == 0)
        {
            return $"(no diff: {destination} is not world-readable)";
        }

        if (oldText is null || newContent.Length > MaxFileBytes)
        {
            return $"(no diff: the old or the new file is larger than {MaxFileBytes / 1024 / 1024} MiB, or was not world-readable)";
        }

        var diff = UnifiedDiff.Create(oldText, Encoding.UTF8.GetString(newContent), destination, destination + " (rendered)");
        if (diff.Length == 0)
        {
            return "(the content is the same; the mode or owner changed)";
        }

        diff = Redact(diff);
        return diff.Length <= MaxDiffChars ? diff : diff[..MaxDiffChars] + "\n(diff cut at 64 KiB)\n";
    }

    /// <summary>Replaces every diff line that looks like it holds a credential, keeping its +/-/space mark.</summary>
    internal static string Redact(string diff)
    {
        var sb = new StringBuilder(diff.Length);
        bool inPrivateKey = false;
        var lines = diff.Split('\n');
        int count = diff.EndsWith('\n') ? lines.Length - 1 : lines.Length;
        foreach (var text in lines.AsSpan(0, count))
        {
            var line = text.AsSpan();
            if (line.Length == 0)
            {
                sb.Append('\n');
                continue;
            }

            bool header = line.StartsWith("--- ") || line.StartsWith("+++ ") || line.StartsWith("@@");
            var body = header ? line : line[1..];
            bool begins = PrivateKeyBegin().IsMatch(body);
            bool secret = !header && (inPrivateKey || begins || Credential().IsMatch(body));
            if (begins)
            {
                inPrivateKey = true;
            }

            if (inPrivateKey && PrivateKeyEnd().IsMatch(body))
            {
                inPrivateKey = false;
            }

            if (secret)
            {
                sb.Append(line[0]).Append(WithheldLine).Append('\n');
            }
            else
            {
                sb.Append(line).Append('\n');
            }
        }

        return sb.ToString();
    }

    [GeneratedRegex(@"(?i)(pass(word|wd|phrase)?|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|credential|auth)", RegexOptions.CultureInvariant)]
    private static partial Regex Credential();

    [GeneratedRegex(@"-----BEGIN [A-Z ]*PRIVATE KEY-----", RegexOptions.CultureInvariant)]
    private static partial Regex PrivateKeyBegin();

    [GeneratedRegex(@"-----END [A-Z ]*PRIVATE KEY-----", RegexOptions.CultureInvariant)]
    private static partial Regex PrivateKeyEnd();
}
