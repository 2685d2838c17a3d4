using System.Globalization;
using System.Net;
using System.Text;

namespace Tend.Testing.Aws;

/// <summary>
/// One instance's metadata service as documented: <c>PUT latest/api/token</c> (with the TTL header) and token-bearing
/// reads of <c>latest/meta-data/…</c>, <c>latest/dynamic/instance-identity/document</c>, and the instance profile's
/// credentials. On loopback: what the SDKs and Tend reach through <c>AWS_EC2_METADATA_SERVICE_ENDPOINT</c>.
/// </summary>
public sealed class InstanceMetadataDouble : IAsyncDisposable
{
    public const string Role = "etcd-instance-role";
    public const string RoleAccessKey = "ASIAROLEFROMIMDS";

    private readonly LoopbackHttpServer _server;
    private readonly string _token = "token-" + Guid.NewGuid().ToString("N");
    private int _tokenRequests;
    private int _reads;

    public InstanceMetadataDouble(string instanceId, string region, string privateIp, MetadataMode mode = MetadataMode.V2Required)
    {
        InstanceId = instanceId;
        Region = region;
        PrivateIp = privateIp;
        Mode = mode;
        _server = new LoopbackHttpServer(HandleAsync);
    }

    public string InstanceId { get; }

    public string Region { get; }

    public string PrivateIp { get; }

    public MetadataMode Mode { get; set; }

    public Uri Endpoint => _server.Endpoint;

    public int TokenRequests => Volatile.Read(ref _tokenRequests);

    public int Reads => Volatile.Read(ref _reads);

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();

    private static async Task AnswerAsync(HttpListenerContext context, int status, string body, string type = "text/plain")
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = type;
        await context.Response.OutputStream.WriteAsync(Encoding.UTF8.GetBytes(body));
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        var request = context.Request;
        var path = request.Url!.AbsolutePath;
        if (path == "/latest/api/token")
        {
            Interlocked.Increment(ref _tokenRequests);
            if (request.HttpMethod != "PUT")
            {
                await AnswerAsync(context, 405, "method not allowed");
            }
            else if (Mode == MetadataMode.V1Only)
            {
                await AnswerAsync(context, 403, "forbidden");
            }
            else if (!int.TryParse(request.Headers["X-aws-ec2-metadata-token-ttl-seconds"], CultureInfo.InvariantCulture, out var ttl) || ttl is < 1 or > 21600)
            {
                await AnswerAsync(context, 400, "missing or invalid X-aws-ec2-metadata-token-ttl-seconds");
            }
            else
            {
                await AnswerAsync(context, 200, _token);
            }

            return;
        }

        if (Mode == MetadataMode.V2Required && request.Headers["X-aws-ec2-metadata-token"] != _token)
        {
            await AnswerAsync(context, 401, "unauthorized");
            return;
        }

        Interlocked.Increment(ref _reads);
        var expires = DateTime.UtcNow.AddHours(6).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        var credentials = $"{{\"Code\":\"Success\",\"LastUpdated\":\"{DateTime.UtcNow:yyyy-MM-ddTHH:mm:ssZ}\",\"Type\":\"AWS-HMAC\",\"AccessKeyId\":\"{RoleAccessKey}\",\"SecretAccessKey\":\"role-secret\",\"Token\":\"role-session-token\",\"Expiration\":\"{expires}\",\"AccountId\":\"123456789012\"}}";
        var (status, body, type) = path switch
        {
            "/latest/meta-data/instance-id" => (200, InstanceId, "text/plain"),
            "/latest/meta-data/placement/region" => (200, Region, "text/plain"),
            "/latest/meta-data/local-ipv4" => (200, PrivateIp, "text/plain"),
            "/latest/dynamic/instance-identity/document" => (200,
                $"{{\n  \"accountId\" : \"123456789012\",\n  \"architecture\" : \"x86_64\",\n  \"availabilityZone\" : \"{Region}a\",\n  \"imageId\" : \"ami-0test\",\n  \"instanceId\" : \"{InstanceId}\",\n  \"instanceType\" : \"t3.small\",\n  \"privateIp\" : \"{PrivateIp}\",\n  \"region\" : \"{Region}\",\n  \"version\" : \"2017-09-30\"\n}}",
                "application/json"),
            // Listed with or without the final slash (the SDK asks without).
            "/latest/meta-data/iam/security-credentials" or "/latest/meta-data/iam/security-credentials/"
                or "/latest/meta-data/iam/security-credentials-extended" or "/latest/meta-data/iam/security-credentials-extended/" => (200, Role, "text/plain"),
            "/latest/meta-data/iam/security-credentials/" + Role or "/latest/meta-data/iam/security-credentials-extended/" + Role => (200, credentials, "text/plain"),
            "/latest/meta-data/iam/info" => (200, $"{{\"Code\":\"Success\",\"InstanceProfileArn\":\"arn:aws:iam::123456789012:instance-profile/{Role}\"}}", "text/plain"),
            _ => (404, "not found", "text/plain"),
        };
        await AnswerAsync(context, status, body, type);
    }
}
