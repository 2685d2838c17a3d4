using System.Globalization;
using System.Text.Json.Nodes;
using Tend.Core.Config;
using Tend.Core.Config.Toml;

namespace Tend.Modules.Register;

/// <summary>
/// Reads <c>[register]</c> from tend.toml: <c>config</c> (a zk_watcher INI file to include),
/// <c>drain</c>, <c>ttl</c>, and <c>[[register.service]]</c> tables with zk_watcher's fields
/// (<c>cmd</c>, <c>refresh</c>, <c>service_port</c>, <c>zookeeper_path</c>, <c>zookeeper_data</c>,
/// <c>service_hostname</c>) plus <c>name</c>, <c>check</c>, <c>http_url</c>, <c>http_expect</c>,
/// <c>tcp_host</c>, <c>timeout</c>, <c>rise</c>, <c>fall</c>, <c>data</c> (a table), and for the Consul store
/// <c>catalog</c> and <c>tags</c>.
/// </summary>
public sealed class RegisterConfigReader : IModuleConfigReader
{
    private static readonly string[] ModuleKeys = ["config", "drain", "ttl", "service"];
    private static readonly string[] ServiceKeys =
    [
        "name", "check", "cmd", "http_url", "http_expect", "tcp_host", "refresh", "timeout",
        "service_port", "zookeeper_path", "zookeeper_data", "data", "service_hostname", "rise", "fall",
        "catalog", "tags",
    ];

    /// <inheritdoc />
    public string Section => "register";

    /// <inheritdoc />
    public object Read(TomlSection section, string baseDirectory)
    {
        ArgumentNullException.ThrowIfNull(section);
        var options = new RegisterOptions();
        var include = section.String("config");
        if (include is not null)
        {
            options = ZkWatcherConfigLoader.Load(Path.GetFullPath(include, baseDirectory));
        }

        var services = options.Services.ToList();
        int index = 0;
        foreach (var s in section.Tables("service"))
        {
            index++;
            services.Add(ReadService(s, index));
        }

        RegisterValidation.CheckUnique(section.File, services);
        var result = options with
        {
            Services = services,
            Drain = section.Duration("drain") ?? options.Drain,
            Ttl = section.Duration("ttl") ?? options.Ttl,
        };
        section.RejectUnknownKeys(ModuleKeys);
        if (result.Ttl < TimeSpan.FromSeconds(2))
        {
            throw section.Error("ttl", "[register] ttl must be at least 2s (etcd leases are whole seconds)");
        }

        return result;
    }

    private static RegisterServiceOptions ReadService(TomlSection s, int index)
    {
        var name = s.String("name") ?? $"service{index}";
        var check = s.Choice("check", "cmd", "tcp", "http") switch
        {
            "tcp" => RegisterCheckKind.Tcp,
            "http" => RegisterCheckKind.Http,
            _ => RegisterCheckKind.Command,
        };
        var cmd = s.String("cmd");
        if (check == RegisterCheckKind.Command && string.IsNullOrEmpty(cmd))
        {
            throw s.Error("cmd", $"{s.Name} needs cmd (the health check command), or check = \"tcp\" / \"http\"");
        }

        var url = s.String("http_url");
        if (check == RegisterCheckKind.Http && !Uri.TryCreate(url, UriKind.Absolute, out _))
        {
            throw s.Error("http_url", $"{s.Name} check = \"http\" needs http_url = \"http://host:port/path\"");
        }

        var port = s.Int("service_port", 1, 65535) ?? throw s.Error("service_port", $"{s.Name} needs service_port");
        var path = s.String("zookeeper_path") ?? throw s.Error("zookeeper_path", $"{s.Name} needs zookeeper_path (where the entry is registered)");
        var (line, _) = s.Position;

        IReadOnlyList<KeyValuePair<string, JsonNode?>> data = [];
        if (s.Has("zookeeper_data") && s.Has("data"))
        {
            throw s.Error("data", $"{s.Name}: give zookeeper_data or data, not both");
        }

        if (s.String("zookeeper_data") is { } text)
        {
            data = ZkWatcherConfigLoader.ParseData(s.File, line, name, text);
        }
        else if (s.Table("data") is { } table)
        {
            data = table.Entries().Select(e => new KeyValuePair<string, JsonNode?>(e.Key, ToJson(e.Value, s))).ToList();
        }

        var service = new RegisterServiceOptions
        {
            Name = name,
            Check = check,
            Command = cmd,
            HttpUrl = url,
            HttpExpect = s.String("http_expect"),
            TcpHost = s.String("tcp_host") ?? "127.0.0.1",
            Refresh = Positive(s, "refresh") ?? TimeSpan.FromSeconds(60),
            Timeout = Positive(s, "timeout") ?? TimeSpan.FromSeconds(90),
            Port = port,
            Path = path,
            Data = data,
            Hostname = s.String("service_hostname"),
            Rise = s.Int("rise", 1, 100) ?? 1,
            Fall = s.Int("fall", 1, 100) ?? 1,
            Catalog = s.Bool("catalog") ?? false,
            Tags = s.StringList("tags") ?? [],
            Line = line,
        };
        s.RejectUnknownKeys(ServiceKeys);
        return RegisterValidation.Normalize(s.File, line, service);
    }

    private static TimeSpan? Positive(TomlSection s, string key)
    {
        var d = s.Duration(key);
        return d is { } v && v <= TimeSpan.Zero ? throw s.Error(key, $"{s.Name} {key} must be greater than zero") : d;
    }

    private static JsonNode? ToJson(TomlValue value, TomlSection s) => value switch
    {
        TomlString str => JsonValue.Create(str.Value),
        TomlInteger i => JsonValue.Create(i.Value),
        TomlFloat f when double.IsFinite(f.Value) => JsonValue.Create(f.Value),
        TomlBoolean b => JsonValue.Create(b.Value),
        TomlArray or TomlTable => throw new ConfigException(s.File, value.Line, value.Column, $"{s.Name} data values must be strings, numbers or booleans"),
        _ => JsonValue.Create(Convert.ToString(value, CultureInfo.InvariantCulture)),
    };
}
