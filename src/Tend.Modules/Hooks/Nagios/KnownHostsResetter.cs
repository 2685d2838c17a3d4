using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using Tend.Core.Config;
using Tend.Core.Files;
using Tend.Core.Processes;

namespace Tend.Modules.Hooks.Nagios;

/// <summary>
/// Resets the nagios user's ssh known_hosts entries: for each host, the remove command drops the old
/// key, then the scan command fetches the new one, and its output is appended to the file. Removals run
/// one at a time (<c>ssh-keygen -R</c> rewrites the whole file); scans run in parallel (a host that is
/// not up yet costs its timeout, not everyone's); the file ends up owned by the ssh user whatever
/// user the commands ran as.
/// </summary>
internal sealed partial class KnownHostsResetter
{
    private const int ParallelScans = 8;
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    private readonly NagiosOptions _options;
    private readonly ICommandRunner _runner;
    private readonly ILogger _logger;
    private readonly int _uid;
    private readonly int _gid;

    public KnownHostsResetter(NagiosOptions options, ICommandRunner runner, ILogger logger)
    {
        _options = options;
        _runner = runner;
        _logger = logger;
        (_uid, _gid, var home) = Account(options.SshUser) ?? throw new ConfigException($"[hooks.nagios] ssh_user \"{options.SshUser}\" does not exist");
        KnownHosts = options.KnownHosts ?? Path.Combine(home, ".ssh", "known_hosts");
    }

    /// <summary>The known_hosts file.</summary>
    public string KnownHosts { get; }

    /// <summary>The user's uid, gid and home from <c>/etc/passwd</c>; <c>null</c> when there is no such user.</summary>
    public static (int Uid, int Gid, string Home)? Account(string user)
    {
        if (!File.Exists("/etc/passwd"))
        {
            return null;
        }

        foreach (var line in File.ReadLines("/etc/passwd"))
        {
            var f = line.Split(':');
            if (f.Length >= 6 && string.Equals(f[0], user, StringComparison.Ordinal)
                && int.TryParse(f[2], NumberStyles.None, CultureInfo.InvariantCulture, out var uid)
                && int.TryParse(f[3], NumberStyles.None, CultureInfo.InvariantCulture, out var gid))
            {
                return (uid, gid, f[5]);
            }
        }

        return null;
    }

    /// <summary>Resets every host in <paramref name="hosts"/>; returns those that failed (to be tried again).</summary>
    public async Task<IReadOnlyList<SshChange>> ResetAsync(IReadOnlyList<SshChange> hosts, CancellationToken cancellationToken)
    {
        var failed = new ConcurrentBag<SshChange>();
        try
        {
            EnsureFile();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Log.FileFailed(_logger, KnownHosts, ex.Message);
            return hosts;
        }

        var toScan = new List<SshChange>();
        foreach (var h in hosts)
        {
            var result = await _runner.RunAsync(Spec(_options.SshRemoveCommand, h), cancellationToken).ConfigureAwait(false);
            if (!result.Succeeded)
            {
                Log.RemoveFailed(_logger, h.Name, result.Summary);
                failed.Add(h);
            }
            else if (h.Present)
            {
                toScan.Add(h);
            }
            else
            {
                Log.Removed(_logger, h.Name, KnownHosts);
            }
        }

        var scanned = new ConcurrentDictionary<string, string>(StringComparer.Ordinal);
        await Parallel.ForEachAsync(toScan, new ParallelOptions { MaxDegreeOfParallelism = ParallelScans, CancellationToken = cancellationToken }, async (h, ct) =>
        {
            var result = await _runner.RunAsync(Spec(_options.SshScanCommand, h), ct).ConfigureAwait(false);
            var lines = string.Join('\n', result.StandardOutput.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')));
            if (!result.Succeeded || (lines.Length == 0 && _options.SshScanCommand == NagiosOptions.DefaultSshScanCommand))
            {
                Log.ScanFailed(_logger, h.Name, h.Address, lines.Length == 0 && result.Succeeded ? "no key received" : result.Summary);
                failed.Add(h);
                return;
            }

            scanned[h.Name] = lines;
        }).ConfigureAwait(false);

        try
        {
            Append(toScan.Where(h => scanned.ContainsKey(h.Name)).Select(h => scanned[h.Name]));
            foreach (var h in toScan.Where(h => scanned.ContainsKey(h.Name)))
            {
                Log.Reset(_logger, h.Name, KnownHosts);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Log.FileFailed(_logger, KnownHosts, ex.Message);
            return hosts;
        }

        return [.. failed];
    }

    private CommandSpec Spec(string command, SshChange h) => new(command, _options.SshTimeout)
    {
        Environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["TEND_HOST_NAME"] = h.Name,
            ["TEND_SSH_ADDRESS"] = h.Address,
            ["TEND_SSH_PORT"] = _options.SshPort.ToString(CultureInfo.InvariantCulture),
            ["TEND_SSH_HOST"] = _options.SshPort == 22 ? h.Address : $"[{h.Address}]:{_options.SshPort.ToString(CultureInfo.InvariantCulture)}",
            ["TEND_SSH_USER"] = _options.SshUser,
            ["TEND_KNOWN_HOSTS"] = KnownHosts,
        },
    };

    /// <summary>Creates the file (and its directory) owned by the ssh user when missing, so <c>ssh-keygen -R</c> has a file to edit.</summary>
    private void EnsureFile()
    {
        var dir = Path.GetDirectoryName(KnownHosts)!;
        if (!Directory.Exists(dir))
        {
            // ssh refuses a ~/.ssh that others can write; 0700 and the user's own, as ssh creates it.
            Directory.CreateDirectory(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            UnixFiles.Chown(dir, _uid, _gid);
        }

        if (!File.Exists(KnownHosts))
        {
            AtomicFile.Write(KnownHosts, [], Ownership());
        }
    }

    /// <summary>Appends the scanned keys and gives the file back to the ssh user (a remove command run as root leaves it root's).</summary>
    private void Append(IEnumerable<string> entries)
    {
        var text = new StringBuilder(File.Exists(KnownHosts) ? File.ReadAllText(KnownHosts) : string.Empty);
        if (text.Length > 0 && text[^1] != '\n')
        {
            text.Append('\n');
        }

        foreach (var e in entries)
        {
            text.Append(e).Append('\n');
        }

        AtomicFile.Write(KnownHosts, Utf8.GetBytes(text.ToString()), Ownership());
    }

    private FileOwnership Ownership() => new(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead, _uid, _gid);

    private static partial class Log
    {
        [LoggerMessage(EventId = 830, Level = LogLevel.Information, Message = "ssh: reset the known_hosts entry of {Host} in {File}")]
        public static partial void Reset(ILogger logger, string host, string file);

        [LoggerMessage(EventId = 831, Level = LogLevel.Information, Message = "ssh: removed the known_hosts entry of {Host} from {File}")]
        public static partial void Removed(ILogger logger, string host, string file);

        [LoggerMessage(EventId = 832, Level = LogLevel.Warning, Message = "ssh: removing the old key of {Host} failed (will retry): {Reason}")]
        public static partial void RemoveFailed(ILogger logger, string host, string reason);

        [LoggerMessage(EventId = 833, Level = LogLevel.Warning, Message = "ssh: scanning the key of {Host} at {Address} failed (will retry): {Reason}")]
        public static partial void ScanFailed(ILogger logger, string host, string address, string reason);

        [LoggerMessage(EventId = 834, Level = LogLevel.Error, Message = "ssh: cannot update {File}: {Reason}")]
        public static partial void FileFailed(ILogger logger, string file, string reason);
    }
}
