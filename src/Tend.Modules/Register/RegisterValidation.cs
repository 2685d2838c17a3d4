using Tend.Core.Config;
using Tend.Core.Kv;

namespace Tend.Modules.Register;

/// <summary>Checks shared by both configuration sources.</summary>
internal static class RegisterValidation
{
    public static RegisterServiceOptions Normalize(string file, int line, RegisterServiceOptions service)
    {
        try
        {
            return service with { Path = KeyPath.Normalize(service.Path) };
        }
        catch (ArgumentException ex)
        {
            throw new ConfigException(file, line, 0, $"[{service.Name}] bad path \"{service.Path}\": {ex.Message}", ex);
        }
    }

    public static void CheckUnique(string file, IReadOnlyList<RegisterServiceOptions> services)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var s in services)
        {
            if (!names.Add(s.Name))
            {
                throw new ConfigException(file, s.Line, 0, $"service \"{s.Name}\" is defined twice");
            }
        }

        // Two services registering the same host:port under the same path would fight over one entry.
        var keys = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var s in services)
        {
            var key = $"{s.Path}|{s.Hostname}|{s.Port}";
            if (keys.TryGetValue(key, out var other))
            {
                throw new ConfigException(file, s.Line, 0, $"[{s.Name}] registers the same entry as [{other}] ({s.Path}, port {s.Port})");
            }

            keys.Add(key, s.Name);
        }
    }
}
