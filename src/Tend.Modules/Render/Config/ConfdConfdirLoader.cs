using Tend.Core.Config;
using Tend.Core.Config.Toml;

namespace Tend.Modules.Render.Config;

/// <summary>
/// Reads an existing confd configuration: <c>confd.toml</c> global settings and the
/// <c>&lt;confdir&gt;/conf.d/**/*.toml</c> template resources, whose <c>src</c> lives in
/// <c>&lt;confdir&gt;/templates</c>.
/// </summary>
public static class ConfdConfdirLoader
{
    private static readonly string[] SettingKeys =
    [
        "backend", "nodes", "prefix", "confdir", "interval", "watch", "noop", "onetime", "sync-only", "keep-stage-file",
        "log-level", "scheme", "srv_domain", "srv_record", "client_cert", "client_key", "client_cakeys", "client_insecure",
        "auth_token", "basic_auth", "username", "password", "file",
    ];

    /// <summary>Reads confd's <c>confd.toml</c>.</summary>
    /// <exception cref="ConfigException">The file is unreadable, not TOML, or has an unknown or mistyped key.</exception>
    public static ConfdSettings LoadSettings(string path)
    {
        var s = new TomlSection(path, "confd.toml", Parse(path));
        var settings = new ConfdSettings
        {
            Backend = s.String("backend"),
            Nodes = s.StringList("nodes"),
            Prefix = s.String("prefix"),
            Confdir = s.String("confdir"),
            Interval = s.Duration("interval"),
            Watch = s.Bool("watch"),
            Noop = s.Bool("noop"),
            Onetime = s.Bool("onetime"),
            SyncOnly = s.Bool("sync-only"),
            KeepStageFile = s.Bool("keep-stage-file"),
            LogLevel = s.String("log-level"),
            Scheme = s.String("scheme"),
            SrvDomain = s.String("srv_domain"),
            SrvRecord = s.String("srv_record"),
            ClientCert = s.String("client_cert"),
            ClientKey = s.String("client_key"),
            ClientCaKeys = s.String("client_cakeys"),
            ClientInsecure = s.Bool("client_insecure"),
            AuthToken = s.String("auth_token"),
            BasicAuth = s.Bool("basic_auth"),
            Username = s.String("username"),
            Password = s.String("password"),
            Files = s.StringList("file"),
        };
        s.RejectUnknownKeys(SettingKeys);
        return settings;
    }

    /// <summary>Reads every resource of <paramref name="confdir"/>, in path order.</summary>
    /// <param name="confdir">The confd configuration directory.</param>
    /// <param name="missingKey">
    /// The <c>missing_key</c> of resources that do not set one: confd's command line passes
    /// <see cref="RenderMissingKey.Default"/> (confd prints Go's <c>&lt;no value&gt;</c>), tend.toml keeps
    /// its own default, <see cref="RenderMissingKey.Error"/>.
    /// </param>
    /// <exception cref="ConfigException">A resource file is invalid, or two resources write the same destination.</exception>
    public static IReadOnlyList<RenderResourceOptions> LoadResources(string confdir, RenderMissingKey missingKey = RenderMissingKey.Error)
    {
        var root = Path.GetFullPath(confdir);
        var confD = Path.Combine(root, "conf.d");
        if (!Directory.Exists(confD))
        {
            throw new ConfigException(confD, 0, 0, "confd conf.d directory does not exist");
        }

        var templates = Path.Combine(root, "templates");
        var files = Directory.EnumerateFiles(confD, "*.toml", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
        var resources = new List<RenderResourceOptions>(files.Count);
        foreach (var file in files)
        {
            var doc = new TomlSection(file, "the top level", Parse(file));
            var table = doc.Table("template") ?? throw new ConfigException(file, 1, 1, "a confd resource needs a [template] table");
            doc.RejectUnknownKeys(["template"]);
            var resource = RenderResourceReader.ReadResource(table, templates, root, missingKey);
            resources.Add(table.Has("id") ? resource : resource with { Id = Path.GetFileNameWithoutExtension(file) });
        }

        return RenderResourceReader.CheckDestinationsAndIds(resources);
    }

    private static TomlTable Parse(string path)
    {
        string text = ConfigFiles.ReadAllText(path);
        try
        {
            return TomlParser.Parse(text);
        }
        catch (TomlException ex)
        {
            throw new ConfigException(path, ex.Line, ex.Column, ex.Reason, ex);
        }
    }
}
