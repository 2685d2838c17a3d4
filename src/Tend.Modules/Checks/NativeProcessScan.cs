using System.Diagnostics;
using System.Globalization;
using System.Text;
using Tend.Core.Files;

namespace Tend.Modules.Checks;

/// <summary>
/// What <c>check_procs</c> answers for the common forms, from <c>/proc</c>, for hosts without the
/// plugin: the matching processes are counted (this process excluded, as check_procs excludes the
/// caller) and the count is held against the critical, then the warning range.
/// </summary>
internal static class NativeProcessScan
{
    public static CheckResult Run(ProcessQuery query, string procRoot = "/proc")
    {
        var sw = Stopwatch.StartNew();
        int? uid = null;
        if (query.User is { } user)
        {
            if (!UnixAccounts.TryGetUid(user, out var id))
            {
                return new CheckResult(CheckState.Unknown, $"PROCS UNKNOWN: no such user '{user}'", sw.Elapsed);
            }

            uid = id;
        }

        int self = Environment.ProcessId;
        int count = 0;
        foreach (var dir in Directory.EnumerateDirectories(procRoot))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || pid == self)
            {
                continue;
            }

            try
            {
                if (Matches(dir, query, uid))
                {
                    count++;
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // The process ended while we read it.
            }
        }

        var state = query.Critical?.Alerts(count) == true ? CheckState.Critical
            : query.Warning?.Alerts(count) == true ? CheckState.Warning
            : CheckState.Passing;
        return new CheckResult(state, Describe(state, count, query, uid), sw.Elapsed);
    }

    private static bool Matches(string dir, ProcessQuery q, int? uid)
    {
        if (q.Command is { } command && !string.Equals(File.ReadAllText(Path.Combine(dir, "comm")).TrimEnd('\n'), command, StringComparison.Ordinal))
        {
            return false;
        }

        if (q.Arguments is { } args && !CommandLine(dir).Contains(args, StringComparison.Ordinal))
        {
            return false;
        }

        return uid is null || Uid(dir) == uid;
    }

    /// <summary>The argument list as <c>ps -o args</c> shows it; a kernel thread's is its name in brackets.</summary>
    private static string CommandLine(string dir)
    {
        var bytes = File.ReadAllBytes(Path.Combine(dir, "cmdline"));
        if (bytes.Length == 0)
        {
            return "[" + File.ReadAllText(Path.Combine(dir, "comm")).TrimEnd('\n') + "]";
        }

        return Encoding.UTF8.GetString(bytes).TrimEnd('\0').Replace('\0', ' ');
    }

    private static int Uid(string dir)
    {
        foreach (var line in File.ReadLines(Path.Combine(dir, "status")))
        {
            if (line.StartsWith("Uid:", StringComparison.Ordinal))
            {
                var fields = line[4..].Split('\t', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                return int.Parse(fields[0], CultureInfo.InvariantCulture);
            }
        }

        return -1;
    }

    private static string Describe(CheckState state, int count, ProcessQuery q, int? uid)
    {
        var sb = new StringBuilder("PROCS ").Append(state switch
        {
            CheckState.Passing => "OK",
            CheckState.Warning => "WARNING",
            _ => "CRITICAL",
        }).Append(": ").Append(count.ToString(CultureInfo.InvariantCulture)).Append(count == 1 ? " process" : " processes");
        var filters = new List<string>();
        if (q.Command is not null)
        {
            filters.Add($"command name '{q.Command}'");
        }

        if (q.Arguments is not null)
        {
            filters.Add($"args '{q.Arguments}'");
        }

        if (uid is not null)
        {
            filters.Add($"UID = {uid.Value.ToString(CultureInfo.InvariantCulture)} ({q.User})");
        }

        if (filters.Count > 0)
        {
            sb.Append(" with ").AppendJoin(", ", filters);
        }

        return sb.Append(" (native scan)").ToString();
    }
}
