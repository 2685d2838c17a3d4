using System.Text.Json;
using Tend.Core.Kv;
using Tend.Core.Processes;
using Tend.Modules.Checks;

namespace Tend.Modules.Health;

/// <summary>The one-shot forms powerconsul had: <c>check</c>, <c>trigger</c> and <c>watch</c>, reading the store directly.</summary>
public static class HealthCommands
{
    /// <summary>Runs <paramref name="check"/> once; with a service, reads the role (and the primaries' health) from <paramref name="store"/>.</summary>
    /// <exception cref="HealthUnknownException">The role cannot be read (the message names the key).</exception>
    public static async Task<HealthOutcome> CheckAsync(HealthCheckOptions check, HealthOptions options, IKvStore? store, ICommandRunner? runner = null, Func<bool>? systemd = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(check);
        ArgumentNullException.ThrowIfNull(options);
        using var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false });
        var probe = new HealthCheckFactory(runner ?? ShellCommandRunner.Instance, http, options.CheckProcs, systemd).Create(check);
        if (check.Service is null)
        {
            var raw = await probe.RunAsync(cancellationToken).ConfigureAwait(false);
            return new HealthOutcome(ClusterRole.Standalone, raw, raw);
        }

        var identity = Identity(options);
        var evaluator = Evaluator(store, out _);
        return await evaluator.EvaluateAsync(identity, check.Service, probe, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs <c>triggers/ENV/SERVICE/ROLE/STATE</c> for this node now; <c>null</c> when there is no such key
    /// (nothing to run). No flap interval applies: the caller decided.
    /// </summary>
    /// <exception cref="HealthUnknownException">The role cannot be read, or a script cannot take a placeholder's value.</exception>
    public static async Task<(string Key, TriggerResult? Result)> TriggerAsync(HealthOptions options, IKvStore store, string service, string state, ICommandRunner? runner = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var identity = Identity(options);
        var evaluator = Evaluator(store, out var data);
        var role = await evaluator.RoleAsync(identity, service, cancellationToken).ConfigureAwait(false);
        var key = identity.TriggerKey(service, role, state);
        var value = await data.GetAsync(key, cancellationToken).ConfigureAwait(false);
        if (string.IsNullOrWhiteSpace(value))
        {
            return (key, null);
        }

        var executor = new TriggerExecutor(runner ?? ShellCommandRunner.Instance, options.TriggerTimeout);
        return (key, await executor.RunAsync(new TriggerRequest(key, value, identity, service, role, state), cancellationToken).ConfigureAwait(false));
    }

    /// <summary>
    /// The services of a Consul watch's check list (<paramref name="json"/>, a JSON array) that belong to
    /// this node and are in <paramref name="state"/>: the check's <c>ServiceName</c>, else its <c>Name</c>.
    /// </summary>
    /// <exception cref="HealthUnknownException">The input is not a JSON array of checks.</exception>
    public static IReadOnlyList<string> WatchedServices(HealthOptions options, string json, string state)
    {
        ArgumentNullException.ThrowIfNull(options);
        var identity = HealthIdentity.Resolve(options);
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(string.IsNullOrWhiteSpace(json) ? "[]" : json);
        }
        catch (JsonException ex)
        {
            throw new HealthUnknownException($"the watch input (stdin) is not JSON: {ex.Message}", ex);
        }

        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Array)
            {
                throw new HealthUnknownException("the watch input (stdin) must be a JSON array of checks, as a Consul \"checks\" watch gives");
            }

            var services = new List<string>();
            foreach (var c in doc.RootElement.EnumerateArray())
            {
                if (c.ValueKind != JsonValueKind.Object)
                {
                    continue;
                }

                var node = Text(c, "Node");
                var status = Text(c, "Status");
                var service = Text(c, "ServiceName") is { Length: > 0 } s ? s : Text(c, "Name");
                if (string.Equals(node, identity.Hostname, StringComparison.OrdinalIgnoreCase)
                    && string.Equals(status, state, StringComparison.Ordinal)
                    && service is { Length: > 0 }
                    && !services.Contains(service, StringComparer.Ordinal))
                {
                    services.Add(service);
                }
            }

            return services;
        }
    }

    /// <summary>The identity of <paramref name="options"/> on this host, with a known environment.</summary>
    /// <exception cref="HealthUnknownException">No environment, or a bad hostname_pattern.</exception>
    public static HealthIdentity Identity(HealthOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        HealthIdentity identity;
        try
        {
            identity = HealthIdentity.Resolve(options);
        }
        catch (ArgumentException ex)
        {
            throw new HealthUnknownException($"[health] hostname_pattern: {ex.Message}", ex);
        }

        identity.RequireEnvironment();
        return identity;
    }

    private static HealthEvaluator Evaluator(IKvStore? store, out IHealthData data)
    {
        if (store is null)
        {
            throw new HealthUnknownException("a check of a service (-S) reads its role from the store, and no store is configured ([store] in tend.toml, or --store/--endpoint)");
        }

        data = new StoreHealthData(store);
        return new HealthEvaluator(data, new PublishedPrimaryHealthSource(data, store.Capabilities.HasFlag(KvStoreCapabilities.Ephemeral)));
    }

    private static string? Text(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
