using Tend.Core.Config;
using Tend.Core.Files;

namespace Tend.Modules.Membership;

/// <summary>
/// Reads <c>[membership]</c> from tend.toml: etcd-discovery's settings (<c>environment_file</c>, <c>client_port</c>,
/// <c>client_scheme</c>, <c>peer_port</c>, <c>peer_scheme</c>, <c>address</c>, <c>proxy_mode</c>,
/// <c>scaling_group_name</c>) plus <c>inventory</c> (aws, static, dns) and its keys (<c>region</c>; <c>members</c>,
/// <c>name</c>; <c>domain</c>), <c>interval</c>, <c>timeout</c>, <c>settle</c>, <c>learner</c>, <c>file_mode</c>,
/// and the client TLS and credentials for the members (<c>ca_file</c>, <c>cert_file</c>, <c>key_file</c>,
/// <c>username</c>, <c>password</c>).
/// </summary>
public sealed class MembershipConfigReader : IModuleConfigReader
{
    private static readonly string[] Keys =
    [
        "inventory", "environment_file", "file_mode", "interval", "timeout", "settle", "client_port", "client_scheme",
        "peer_port", "peer_scheme", "address", "proxy_mode", "learner", "scaling_group_name", "region", "name", "members",
        "domain", "ca_file", "cert_file", "key_file", "username", "password",
    ];

    /// <inheritdoc />
    public string Section => "membership";

    /// <inheritdoc />
    public object Read(TomlSection section, string baseDirectory)
    {
        ArgumentNullException.ThrowIfNull(section);
        var d = new MembershipOptions();
        var inventory = section.Choice("inventory", "aws", "static", "dns") switch
        {
            "static" => MembershipInventoryKind.Static,
            "dns" => MembershipInventoryKind.Dns,
            _ => MembershipInventoryKind.Aws,
        };
        var file = section.String("environment_file");
        if (string.IsNullOrWhiteSpace(file))
        {
            throw section.Error("environment_file", "[membership] needs environment_file = \"/etc/sysconfig/etcd-discovery\" (the file etcd's unit reads)");
        }

        var options = new MembershipOptions
        {
            Inventory = inventory,
            EnvironmentFile = Path.GetFullPath(file, baseDirectory),
            FileMode = Mode(section) ?? d.FileMode,
            Interval = Positive(section, "interval") ?? d.Interval,
            Timeout = Positive(section, "timeout") ?? d.Timeout,
            Settle = section.Duration("settle") ?? d.Settle,
            ClientPort = section.Int("client_port", 1, 65535) ?? d.ClientPort,
            ClientScheme = section.Choice("client_scheme", "http", "https") ?? d.ClientScheme,
            PeerPort = section.Int("peer_port", 1, 65535) ?? d.PeerPort,
            PeerScheme = section.Choice("peer_scheme", "http", "https") ?? d.PeerScheme,
            Address = section.Choice("address", "hostname", "ip") == "ip" ? MemberAddressKind.Ip : MemberAddressKind.Hostname,
            ProxyMode = section.Bool("proxy_mode") ?? false,
            Learner = section.Bool("learner") ?? true,
            ScalingGroupName = NonEmpty(section, "scaling_group_name"),
            Region = NonEmpty(section, "region"),
            Name = NonEmpty(section, "name"),
            Members = Members(section),
            Domain = NonEmpty(section, "domain"),
            CaFile = ExistingFile(section, "ca_file", baseDirectory),
            CertFile = ExistingFile(section, "cert_file", baseDirectory),
            KeyFile = ExistingFile(section, "key_file", baseDirectory),
            Username = section.String("username"),
            Password = section.String("password"),
        };
        section.RejectUnknownKeys(Keys);

        // Keys that belong to another inventory are a mistake worth naming, not something to ignore.
        foreach (var (key, kinds) in new[]
        {
            ("scaling_group_name", MembershipInventoryKind.Aws), ("region", MembershipInventoryKind.Aws),
            ("members", MembershipInventoryKind.Static), ("domain", MembershipInventoryKind.Dns),
        })
        {
            if (section.Has(key) && inventory != kinds)
            {
                throw section.Error(key, $"[membership] {key} is for inventory = \"{kinds.ToString().ToLowerInvariant()}\", not \"{inventory.ToString().ToLowerInvariant()}\"");
            }
        }

        if (section.Has("name") && inventory == MembershipInventoryKind.Aws)
        {
            throw section.Error("name", "[membership] name is for the static and dns inventories; on AWS a member is named by its instance id");
        }

        if (inventory == MembershipInventoryKind.Static && options.Members.Count > 0 && !options.ProxyMode
            && options.Name is { } self && !options.Members.Any(m => m.Name == self))
        {
            throw section.Error("name", $"[membership] name \"{self}\" is not among members; this host would never join");
        }

        try
        {
            MembershipModule.Validate(options);
        }
        catch (ConfigException ex)
        {
            throw section.Error("inventory", ex.Message);
        }

        return options;
    }

    private static IReadOnlyList<StaticMember> Members(TomlSection section)
    {
        var list = section.StringList("members");
        if (list is null)
        {
            return [];
        }

        var members = new List<StaticMember>();
        foreach (var entry in list)
        {
            int eq = entry.IndexOf('=', StringComparison.Ordinal);
            var name = eq > 0 ? entry[..eq].Trim() : string.Empty;
            var host = eq > 0 ? entry[(eq + 1)..].Trim() : string.Empty;
            if (name.Length == 0 || host.Length == 0 || host.Contains("://", StringComparison.Ordinal) || name.Contains(',', StringComparison.Ordinal))
            {
                throw section.Error("members", $"[membership] members entries are \"name=host\" (a DNS name or IP, no scheme or port), not \"{entry}\"");
            }

            members.Add(new StaticMember(name, host));
        }

        return members;
    }

    private static UnixFileMode? Mode(TomlSection section)
    {
        var text = section.String("file_mode");
        if (text is null)
        {
            return null;
        }

        return FileModes.TryParseOctal(text, out var mode)
            ? mode
            : throw section.Error("file_mode", $"[membership] file_mode must be an octal string such as \"0444\", not \"{text}\"");
    }

    private static string? NonEmpty(TomlSection section, string key)
    {
        var v = section.String(key);
        return v is null ? null : string.IsNullOrWhiteSpace(v) ? throw section.Error(key, $"[membership] {key} is empty") : v.Trim();
    }

    private static TimeSpan? Positive(TomlSection section, string key)
    {
        var d = section.Duration(key);
        return d is { } v && v <= TimeSpan.Zero ? throw section.Error(key, $"[membership] {key} must be greater than zero") : d;
    }

    private static string? ExistingFile(TomlSection section, string key, string baseDirectory)
    {
        var v = section.String(key);
        if (v is null)
        {
            return null;
        }

        var full = Path.GetFullPath(v, baseDirectory);
        return File.Exists(full) ? full : throw section.Error(key, $"[membership] {key}: no such file: {full}");
    }
}
