using System.Globalization;
using Tend.Core.Processes;
using Tend.Modules.Checks;

namespace Tend.Modules.Health;

/// <summary>Builds the check a <see cref="HealthCheckOptions"/> describes, from the checks register uses too.</summary>
internal sealed class HealthCheckFactory(ICommandRunner runner, HttpClient http, string? checkProcs, Func<bool>? systemd = null)
{
    private readonly Func<bool> _systemd = systemd ?? ServiceHealthCheck.SystemdIsRunning;

    public IHealthCheck Create(HealthCheckOptions c)
    {
        ArgumentNullException.ThrowIfNull(c);
        return c.Kind switch
        {
            HealthCheckKind.Service => new ServiceHealthCheck(runner, c.LinuxService!, c.Timeout, _systemd()),
            HealthCheckKind.Crontab => new CrontabHealthCheck(runner, c.User!, c.Pattern, c.Timeout),
            HealthCheckKind.Process => new ProcessHealthCheck(runner, c.ProcessArguments, c.Timeout, checkProcs ?? ProcessHealthCheck.FindPlugin()),
            HealthCheckKind.Tcp => new TcpHealthCheck(c.TcpHost, c.Port, c.Timeout),
            HealthCheckKind.Http => new HttpHealthCheck(http, new Uri(c.HttpUrl!), c.HttpExpect, c.Timeout),
            _ => new CommandHealthCheck(runner, c.Command!, c.Timeout, new Dictionary<string, string>
            {
                ["TEND_SERVICE"] = c.Service ?? string.Empty,
                ["TEND_CHECK_TIMEOUT"] = ((int)c.Timeout.TotalSeconds).ToString(CultureInfo.InvariantCulture),
            }),
        };
    }
}
