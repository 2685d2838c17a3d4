using Microsoft.Extensions.Logging;
using Tend.Core.Config;
using Tend.Core.Kv;
using Tend.Stores;

namespace Tend.Hosting;

/// <summary>
/// Opens the store a configuration names, for the daemon (at start and on SIGHUP) and every command.
/// Its errors speak of the configuration (<c>[store] files</c>), never of command-line options: a
/// reload has no command line to blame. Commands word their own errors about their options first.
/// </summary>
internal static class StoreOpener
{
    /// <summary>What the store still needs before it can be opened (<c>files</c> or <c>endpoints</c>), or <c>null</c>.</summary>
    public static string? MissingSetting(KvStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Kind == "file" && options.Files.Count == 0)
        {
            return "files";
        }

        return KvStoreKinds.NeedsEndpoints(options.Kind) && options.Endpoints.Count == 0 && options.SrvDomain is null && options.SrvRecord is null
            ? "endpoints"
            : null;
    }

    /// <summary>Creates the store of <paramref name="options"/>.</summary>
    /// <exception cref="ConfigException">A setting is missing or the store refuses the options.</exception>
    public static IKvStore Open(KvStoreOptions options, ILoggerFactory loggers)
    {
        switch (MissingSetting(options))
        {
            case "files":
                throw new ConfigException("[store] kind = \"file\" needs files = [\"data.yaml\", ...]");
            case "endpoints":
                throw new ConfigException($"[store] kind = \"{options.Kind}\" needs endpoints = [...] (or srv_domain / srv_record)");
        }

        try
        {
            return KvStoreFactory.Create(options, loggers);
        }
        catch (ArgumentException ex)
        {
            throw new ConfigException(ex.Message, ex);
        }
    }
}
