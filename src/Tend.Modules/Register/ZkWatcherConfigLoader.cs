using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Tend.Core.Config;
using Tend.Core.Config.Ini;

namespace Tend.Modules.Register;

/// <summary>
/// Reads zk_watcher's INI file (<c>/etc/zk/config.cfg</c>) as it is: one section per service with
/// <c>cmd</c>, <c>refresh</c>, <c>service_port</c>, <c>zookeeper_path</c>, <c>zookeeper_data</c>
/// (JSON or <c>k=v, k2=v2</c>), optional <c>service_hostname</c>; <c>[auth] user/password</c>.
/// Tend's extensions are accepted too (<c>check</c>, <c>http_url</c>, <c>http_expect</c>,
/// <c>tcp_host</c>, <c>rise</c>, <c>fall</c>, <c>timeout</c>, and for the Consul store <c>catalog</c> and
/// <c>tags</c>, comma-separated). Errors name the file and line.
/// </summary>
public static class ZkWatcherConfigLoader
{
    private static readonly string[] Known =
    [
        "cmd", "refresh", "service_port", "zookeeper_path", "zookeeper_data", "service_hostname",
        "check", "http_url", "http_expect", "tcp_host", "rise", "fall", "timeout", "catalog", "tags",
    ];

    /// <summary>Loads <paramref name="path"/>.</summary>
    /// <exception cref="ConfigException">Unreadable or invalid; nothing is registered from a file that fails.</exception>
    public static RegisterOptions Load(string path)
    {
        return Parse(path, ConfigFiles.ReadAllText(path, "the configuration"));
    }

    /// <summary>Parses INI <paramref name="text"/>; <paramref name="path"/> names it in errors.</summary>
    public static RegisterOptions Parse(string path, string text)
    {
        IniDocument doc;
        try
        {
            doc = IniParser.Parse(text);
        }
        catch (IniException ex)
        {
            throw new ConfigException(path, ex.Line, 0, ex.Reason, ex);
        }

        var services = new List<RegisterServiceOptions>();
        string? user = null, password = null;
        foreach (var section in doc.Sections)
        {
            if (section.Name.Equals("auth", StringComparison.OrdinalIgnoreCase))
            {
                foreach (var e in section.Entries)
                {
                    switch (e.Key.ToLowerInvariant())
                    {
                        case "user":
                            user = e.Value;
                            break;
                        case "password":
                            password = e.Value;
                            break;
                        default:
                            throw new ConfigException(path, e.Line, 0, $"unknown key \"{e.Key}\" in [auth] (user, password)");
                    }
                }

                if ((user is null) != (password is null))
                {
                    throw new ConfigException(path, section.Line, 0, "[auth] needs both user and password");
                }

                continue;
            }

            services.Add(ReadService(path, section));
        }

        RegisterValidation.CheckUnique(path, services);
        return new RegisterOptions { Services = services, AuthUser = user, AuthPassword = password };
    }

    private static RegisterServiceOptions ReadService(string path, IniSection section)
    {
        foreach (var e in section.Entries)
        {
            if (!Known.Contains(e.Key.ToLowerInvariant(), StringComparer.Ordinal))
            {
                throw new ConfigException(path, e.Line, 0, $"unknown key \"{e.Key}\" in [{section.Name}] (known: {string.Join(", ", Known)})");
            }
        }

        string? Get(string key) => section.TryGetEntry(key, out var e) ? e.Value.Trim() : null;
        int LineOf(string key) => section.TryGetEntry(key, out var e) ? e.Line : section.Line;

        var checkText = Get("check")?.ToLowerInvariant() ?? "cmd";
        var check = checkText switch
        {
            "cmd" or "command" => RegisterCheckKind.Command,
            "tcp" => RegisterCheckKind.Tcp,
            "http" => RegisterCheckKind.Http,
            _ => throw new ConfigException(path, LineOf("check"), 0, $"[{section.Name}] check must be cmd, tcp or http, not \"{checkText}\""),
        };

        var cmd = Get("cmd");
        if (check == RegisterCheckKind.Command && string.IsNullOrEmpty(cmd))
        {
            throw new ConfigException(path, section.Line, 0, $"[{section.Name}] needs cmd (the health check command)");
        }

        var portText = Get("service_port") ?? throw new ConfigException(path, section.Line, 0, $"[{section.Name}] needs service_port");
        if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            throw new ConfigException(path, LineOf("service_port"), 0, $"[{section.Name}] service_port must be a port number (1-65535), not \"{portText}\"");
        }

        var zkPath = Get("zookeeper_path");
        if (string.IsNullOrEmpty(zkPath))
        {
            throw new ConfigException(path, section.Line, 0, $"[{section.Name}] needs zookeeper_path");
        }

        var url = Get("http_url");
        if (check == RegisterCheckKind.Http && string.IsNullOrEmpty(url))
        {
            throw new ConfigException(path, section.Line, 0, $"[{section.Name}] check = http needs http_url");
        }

        return RegisterValidation.Normalize(path, LineOf("zookeeper_path"), new RegisterServiceOptions
        {
            Name = section.Name,
            Check = check,
            Command = cmd,
            HttpUrl = url,
            HttpExpect = Get("http_expect"),
            TcpHost = Get("tcp_host") is { Length: > 0 } h ? h : "127.0.0.1",
            Refresh = Seconds(path, section, "refresh", LineOf("refresh"), Get("refresh"), TimeSpan.FromSeconds(60)),
            Timeout = Seconds(path, section, "timeout", LineOf("timeout"), Get("timeout"), TimeSpan.FromSeconds(90)),
            Port = port,
            Path = zkPath,
            Data = ParseData(path, LineOf("zookeeper_data"), section.Name, Get("zookeeper_data")),
            Hostname = Get("service_hostname") is { Length: > 0 } host ? host : null,
            Rise = Count(path, section, "rise", LineOf("rise"), Get("rise")),
            Fall = Count(path, section, "fall", LineOf("fall"), Get("fall")),
            Catalog = Flag(path, section, "catalog", LineOf("catalog"), Get("catalog")),
            Tags = Get("tags")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [],
            Line = section.Line,
        });
    }

    /// <summary>zookeeper_data: a JSON object, or <c>k=v, k2=v2</c> (values are strings); empty is none.</summary>
    public static IReadOnlyList<KeyValuePair<string, JsonNode?>> ParseData(string path, int line, string section, string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return [];
        }

        var t = text.Trim();
        if (t.StartsWith('{'))
        {
            try
            {
                var obj = JsonNode.Parse(t) as JsonObject ?? throw new JsonException("not an object");
                return obj.Select(kv => new KeyValuePair<string, JsonNode?>(kv.Key, kv.Value?.DeepClone())).ToList();
            }
            catch (JsonException ex)
            {
                throw new ConfigException(path, line, 0, $"[{section}] zookeeper_data is not a valid JSON object: {ex.Message}", ex);
            }
        }

        var list = new List<KeyValuePair<string, JsonNode?>>();
        foreach (var part in t.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw new ConfigException(path, line, 0, $"[{section}] zookeeper_data must be JSON or k=v, k2=v2; \"{part}\" has no '='");
            }

            list.Add(new(part[..eq].Trim(), JsonValue.Create(part[(eq + 1)..].Trim())));
        }

        return list;
    }

    private static TimeSpan Seconds(string path, IniSection section, string key, int line, string? text, TimeSpan fallback)
    {
        if (string.IsNullOrEmpty(text))
        {
            return fallback;
        }

        if (!Durations.TryParse(text, out var d, out var error))
        {
            throw new ConfigException(path, line, 0, $"[{section.Name}] {key} {error}");
        }

        if (d <= TimeSpan.Zero)
        {
            throw new ConfigException(path, line, 0, $"[{section.Name}] {key} must be a positive number of seconds, not \"{text}\"");
        }

        return d;
    }

    private static bool Flag(string path, IniSection section, string key, int line, string? text) => text?.ToLowerInvariant() switch
    {
        null or "" or "false" or "no" or "0" => false,
        "true" or "yes" or "1" => true,
        _ => throw new ConfigException(path, line, 0, $"[{section.Name}] {key} must be true or false, not \"{text}\""),
    };

    private static int Count(string path, IniSection section, string key, int line, string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return 1;
        }

        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n is < 1 or > 100)
        {
            throw new ConfigException(path, line, 0, $"[{section.Name}] {key} must be a whole number from 1 to 100, not \"{text}\"");
        }

        return n;
    }
}
