using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Tend.Core.Kv;
using Tend.Modules.Hooks;

namespace Tend.Daemon;

/// <summary>
/// The etcdhooks HTTP API: <c>GET /getall</c> (every host and its state, sorted by host; the
/// original's list form with <c>?format=list</c>) and <c>PUT /putall</c> (replace the whole host
/// subtree in one transaction; everything is validated first, and a bad request writes nothing).
/// </summary>
internal static class HostsEndpoints
{
    /// <summary>The largest <c>/putall</c> body accepted.</summary>
    public const int MaxBodyBytes = 4 * 1024 * 1024;

    // Immutable records swapped whole: readers on other threads see an old or a new one, never half.
    private static readonly CachedBody?[] _getall = new CachedBody?[2];
    private static CachedInventory? _inventory;

    public static void Map(IEndpointRouteBuilder app, TendDaemon daemon)
    {
        app.MapGet("/getall", async (HttpContext http) =>
        {
            var runtime = daemon.Runtime;
            if (runtime is null)
            {
                return Error(StatusCodes.Status503ServiceUnavailable, "not running");
            }

            var inventory = Inventory(runtime);
            var mirror = runtime.Mirrors.Get(inventory.Root);
            KvSnapshot snapshot;
            try
            {
                snapshot = mirror.IsSynced ? mirror.Current : await runtime.Store.ListAsync(inventory.Root, http.RequestAborted).ConfigureAwait(false);
            }
            catch (KvStoreException ex)
            {
                return Error(StatusCodes.Status503ServiceUnavailable, ex.Message);
            }

            var list = string.Equals(http.Request.Query["format"], "list", StringComparison.Ordinal);
            return Results.Bytes(GetallBody(inventory, snapshot, list), "application/json");
        });

        // One lambda for both verbs: the Request Delegate Generator compiles lambdas (not locals) ahead of time.
        app.MapMethods("/putall", [HttpMethods.Put, HttpMethods.Post], async (HttpContext http) =>
        {
            var runtime = daemon.Runtime;
            if (runtime is null)
            {
                return Error(StatusCodes.Status503ServiceUnavailable, "not running");
            }

            var denied = Authorize(http, runtime.Config.Http.Token);
            if (denied is not null)
            {
                return denied;
            }

            if (http.Request.ContentLength > MaxBodyBytes)
            {
                return Error(StatusCodes.Status400BadRequest, $"body larger than {MaxBodyBytes} bytes");
            }

            byte[] body;
            try
            {
                body = await ReadLimitedAsync(http.Request.Body, MaxBodyBytes, http.RequestAborted).ConfigureAwait(false);
            }
            catch (InvalidDataException ex)
            {
                return Error(StatusCodes.Status400BadRequest, ex.Message);
            }

            var inventory = Inventory(runtime);
            List<KeyValuePair<string, string>> hosts;
            try
            {
                hosts = ParseHosts(body);
                inventory.ReplaceAll(KvSnapshot.Empty(inventory.Root), hosts);
            }
            catch (JsonException ex)
            {
                return Error(StatusCodes.Status400BadRequest, $"malformed JSON: {ex.Message}");
            }
            catch (ArgumentException ex)
            {
                return Error(StatusCodes.Status400BadRequest, ex.Message);
            }

            try
            {
                // Optimistic: read, diff, commit if nothing under the root changed meanwhile; a few tries.
                for (int attempt = 1; ; attempt++)
                {
                    var current = await runtime.Store.ListAsync(inventory.Root, http.RequestAborted).ConfigureAwait(false);
                    var result = await runtime.Store.CommitAsync(inventory.ReplaceAll(current, hosts), http.RequestAborted).ConfigureAwait(false);
                    if (result.Succeeded)
                    {
                        return Results.Json(new PutAllResult(hosts.Count, result.Revision), HostsJsonContext.Default.PutAllResult);
                    }

                    if (attempt == 3)
                    {
                        return Error(StatusCodes.Status409Conflict, "the host tree kept changing during the update; nothing was applied, try again");
                    }
                }
            }
            catch (KvNotSupportedException ex)
            {
                return Error(StatusCodes.Status409Conflict, ex.Message);
            }
            catch (KvStoreException ex)
            {
                return Error(StatusCodes.Status503ServiceUnavailable, ex.Message);
            }
        });
    }

    /// <summary>The body must be one JSON object of host name → state string, names unique.</summary>
    internal static List<KeyValuePair<string, string>> ParseHosts(byte[] body)
    {
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 4 });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new ArgumentException("the body must be a JSON object: {\"host\": \"state\", ...}");
        }

        var hosts = new List<KeyValuePair<string, string>>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var name = reader.GetString()!;
            reader.Read();
            if (reader.TokenType != JsonTokenType.String)
            {
                throw new ArgumentException($"host \"{name}\": the state must be a string, not {reader.TokenType}");
            }

            if (!seen.Add(name))
            {
                throw new ArgumentException($"host \"{name}\" appears twice");
            }

            hosts.Add(new(name, reader.GetString()!));
        }

        if (reader.Read())
        {
            throw new ArgumentException("unexpected data after the JSON object");
        }

        return hosts;
    }

    private static HostInventory Inventory(DaemonRuntime runtime)
    {
        var options = runtime.Config.Module<HooksOptions>("hooks")?.Inventory ?? new HostInventoryOptions();
        var cached = _inventory;
        if (cached is not null && cached.Options == options)
        {
            return cached.Inventory;
        }

        var inventory = new HostInventory(options);
        _inventory = new CachedInventory(options, inventory);
        return inventory;
    }

    /// <summary>
    /// The /getall body, rendered once per mirror snapshot and format: snapshots are immutable and
    /// swapped per change, so repeated requests between changes (monitoring polls, scripts) cost a
    /// copy, not a walk over every host.
    /// </summary>
    internal static ReadOnlyMemory<byte> GetallBody(HostInventory inventory, KvSnapshot snapshot, bool list)
    {
        var cached = _getall[list ? 1 : 0];
        if (cached is not null && ReferenceEquals(cached.Snapshot, snapshot) && ReferenceEquals(cached.Inventory, inventory))
        {
            return cached.Body;
        }

        var (hosts, _) = inventory.Read(snapshot);
        var buffer = new ArrayBufferWriter<byte>(64 + (hosts.Count * 40));
        using (var json = new Utf8JsonWriter(buffer))
        {
            if (list)
            {
                json.WriteStartArray();
                foreach (var h in hosts)
                {
                    json.WriteStartObject();
                    json.WriteString("Name", h.Name);
                    json.WriteString("State", h.State);
                    json.WriteEndObject();
                }

                json.WriteEndArray();
            }
            else
            {
                json.WriteStartObject();
                foreach (var h in hosts)
                {
                    json.WriteString(h.Name, h.State);
                }

                json.WriteEndObject();
            }
        }

        // Kept as written (no copy): the buffer is never written again.
        var body = buffer.WrittenMemory;
        _getall[list ? 1 : 0] = new CachedBody(inventory, snapshot, body);
        return body;
    }

    private static IResult? Authorize(HttpContext http, string? token)
    {
        if (token is null)
        {
            return Error(StatusCodes.Status403Forbidden, "writes are disabled: set [http] token in tend.toml");
        }

        var header = http.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            http.Response.Headers.WWWAuthenticate = "Bearer";
            return Error(StatusCodes.Status401Unauthorized, "a bearer token is required");
        }

        var given = Encoding.UTF8.GetBytes(header["Bearer ".Length..].Trim());
        var expected = Encoding.UTF8.GetBytes(token);
        return CryptographicOperations.FixedTimeEquals(given, expected) ? null : Error(StatusCodes.Status403Forbidden, "wrong token");
    }

    private static async Task<byte[]> ReadLimitedAsync(Stream body, int limit, CancellationToken cancellationToken)
    {
        var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int n;
        while ((n = await body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + n > limit)
            {
                throw new InvalidDataException($"body larger than {limit} bytes");
            }

            buffer.Write(chunk, 0, n);
        }

        return buffer.ToArray();
    }

    private static IResult Error(int status, string message) =>
        Results.Json(new ErrorResult(message), HostsJsonContext.Default.ErrorResult, statusCode: status);
}

internal sealed record PutAllResult(int Hosts, long Revision);

internal sealed record CachedBody(HostInventory Inventory, KvSnapshot Snapshot, ReadOnlyMemory<byte> Body);

internal sealed record CachedInventory(HostInventoryOptions Options, HostInventory Inventory);

internal sealed record ErrorResult(string Error);

[System.Text.Json.Serialization.JsonSourceGenerationOptions(PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.SnakeCaseLower)]
[System.Text.Json.Serialization.JsonSerializable(typeof(PutAllResult))]
[System.Text.Json.Serialization.JsonSerializable(typeof(ErrorResult))]
internal sealed partial class HostsJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
