using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Tend.Core.Kv;

/// <summary>
/// Keys a store holds but Tend cannot use because they are not normalised paths (<c>/a//b</c>,
/// <c>/a/../b</c>, <c>/a/</c>, a data file's <c>"a//b":</c>). Such a key can never be read by a
/// template or hook, so rather than dropping it silently the store reports it here: each distinct raw
/// key is logged once as a warning, and every time it is skipped (a listing, a change) is counted for
/// <c>/status</c> and <c>/metrics</c>.
/// </summary>
public sealed partial class KvSkippedKeys
{
    /// <summary>Distinct keys remembered for the log-once rule; past this, one line says more exist.</summary>
    internal const int RememberedKeys = 1_000;

    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly HashSet<string> _logged = new(StringComparer.Ordinal);
    private bool _overflowLogged;
    private long _count;
    private string? _lastKey;

    /// <summary>Creates a report that logs through <paramref name="logger"/>.</summary>
    public KvSkippedKeys(ILogger? logger = null)
    {
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>How many times a key was skipped since start-up.</summary>
    public long Count => Interlocked.Read(ref _count);

    /// <summary>The raw text of the last skipped key (control characters escaped), or <c>null</c>.</summary>
    public string? LastKey
    {
        get
        {
            lock (_gate)
            {
                return _lastKey;
            }
        }
    }

    /// <summary>Reports that <paramref name="rawKey"/> was skipped because of <paramref name="reason"/>.</summary>
    /// <param name="rawKey">The key as the store holds it.</param>
    /// <param name="reason">Why it cannot be used, and where it was found when the store knows (a data file's line).</param>
    public void Report(string rawKey, string reason)
    {
        ArgumentNullException.ThrowIfNull(rawKey);
        var shown = Printable(rawKey);
        Interlocked.Increment(ref _count);
        bool log = false, overflow = false;
        lock (_gate)
        {
            _lastKey = shown;
            if (_logged.Count < RememberedKeys)
            {
                log = _logged.Add(rawKey);
            }
            else if (!_logged.Contains(rawKey) && !_overflowLogged)
            {
                _overflowLogged = overflow = true;
            }
        }

        if (log)
        {
            Log.Skipped(_logger, shown, reason);
        }
        else if (overflow)
        {
            Log.TooMany(_logger, RememberedKeys);
        }
    }

    /// <summary>
    /// The key with control and line-separator characters escaped, so a key cannot break a log
    /// line or a terminal, while every other character stays as it is.
    /// </summary>
    public static string Printable(string rawKey)
    {
        ArgumentNullException.ThrowIfNull(rawKey);
        if (!rawKey.Any(NeedsEscape))
        {
            return rawKey;
        }

        var sb = new StringBuilder(rawKey.Length + 8);
        foreach (var c in rawKey)
        {
            if (c == '\\')
            {
                sb.Append(@"\\");
            }
            else if (NeedsEscape(c))
            {
                sb.Append(@"\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
            }
            else
            {
                sb.Append(c);
            }
        }

        return sb.ToString();
    }

    private static bool NeedsEscape(char c) => c is < ' ' or '\x7f' or '\u0085' or '\u2028' or '\u2029' or '\\' || (c is >= '\x80' and <= '\x9f');

    private static partial class Log
    {
        [LoggerMessage(EventId = 110, Level = LogLevel.Warning, Message = "Ignoring key \"{Key}\": {Reason}; no template or hook can read it (rename it to a clean path such as /a/b)")]
        public static partial void Skipped(ILogger logger, string key, string reason);

        [LoggerMessage(EventId = 111, Level = LogLevel.Warning, Message = "More than {Count} distinct keys were ignored as not normalised; further ones are counted in /status and /metrics but not logged")]
        public static partial void TooMany(ILogger logger, int count);
    }
}
