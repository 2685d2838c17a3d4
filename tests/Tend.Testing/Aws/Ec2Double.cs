using System.Collections.Specialized;
using System.Globalization;
using System.Net;
using System.Security;
using System.Text;

namespace Tend.Testing.Aws;

/// <summary>
/// The EC2 query API's <c>DescribeInstances</c> as the AWS documentation shapes it (a form-encoded POST; an XML
/// <c>DescribeInstancesResponse</c> with <c>reservationSet</c>/<c>instancesSet</c> and <c>nextToken</c>), over a
/// mutable set of instances, on loopback: what the SDK reaches through <c>ServiceURL</c> or
/// <c>AWS_ENDPOINT_URL_EC2</c>. Filters on <c>tag:KEY</c>, <c>instance-id</c> and <c>instance-state-name</c>, and
/// <c>InstanceId.N</c>; pages by reservation. Unsigned requests are refused, as EC2 does.
/// </summary>
public sealed class Ec2Double : IAsyncDisposable
{
    public const string Namespace = "http://ec2.amazonaws.com/doc/2016-11-15/";

    private readonly LoopbackHttpServer _server;
    private readonly Lock _gate = new();
    private readonly List<Ec2Instance> _instances = [];
    private readonly List<string> _tokens = [];
    private int _calls;

    public Ec2Double()
    {
        _server = new LoopbackHttpServer(HandleAsync);
    }

    public Uri Endpoint => _server.Endpoint;

    /// <summary>Reservations per page; a larger result gets a <c>nextToken</c>.</summary>
    public int PageSize { get; set; } = 1000;

    /// <summary>When set, every call is answered with this error code (e.g. <c>RequestLimitExceeded</c>).</summary>
    public string? FailWith { get; set; }

    public int DescribeCalls => Volatile.Read(ref _calls);

    /// <summary>The page tokens the client sent back, in order.</summary>
    public IReadOnlyList<string> TokensSeen
    {
        get
        {
            lock (_gate)
            {
                return [.. _tokens];
            }
        }
    }

    /// <summary>The credential the last request was signed with (the access key id), or null.</summary>
    public string? LastAccessKey { get; private set; }

    public void Launch(string id, string privateIp, string? group, string state = "running", string? privateDnsName = null, string? reservation = null)
    {
        lock (_gate)
        {
            _instances.RemoveAll(i => i.Id == id);
            _instances.Add(new Ec2Instance(id, privateIp, privateDnsName ?? privateIp, group, state, reservation ?? "r-" + id));
        }
    }

    public void SetState(string id, string state)
    {
        lock (_gate)
        {
            int at = _instances.FindIndex(i => i.Id == id);
            _instances[at] = _instances[at] with { State = state };
        }
    }

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();

    private static Dictionary<string, List<string>> Filters(NameValueCollection form)
    {
        var filters = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        for (int n = 1; form[$"Filter.{n}.Name"] is { } name; n++)
        {
            var values = new List<string>();
            for (int v = 1; form[$"Filter.{n}.Value.{v}"] is { } value; v++)
            {
                values.Add(value);
            }

            filters[name] = values;
        }

        return filters;
    }

    private static bool Matches(Ec2Instance i, Dictionary<string, List<string>> filters, List<string> ids)
    {
        if (ids.Count > 0 && !ids.Contains(i.Id))
        {
            return false;
        }

        foreach (var (name, values) in filters)
        {
            bool ok = name switch
            {
                "tag:aws:autoscaling:groupName" => i.Group is not null && values.Contains(i.Group),
                "instance-id" => values.Contains(i.Id),
                "instance-state-name" => values.Contains(i.State),
                _ => throw new InvalidOperationException($"the EC2 double has no filter {name}"),
            };
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }

    private static int StateCode(string state) => state switch
    {
        "pending" => 0,
        "running" => 16,
        "shutting-down" => 32,
        "terminated" => 48,
        "stopping" => 64,
        _ => 80,
    };

    private static async Task ErrorAsync(HttpListenerContext context, int status, string code, string message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/xml;charset=UTF-8";
        var xml = $"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error><Code>{code}</Code><Message>{SecurityElement.Escape(message)}</Message></Error></Errors><RequestID>req-err</RequestID></Response>";
        await context.Response.OutputStream.WriteAsync(Encoding.UTF8.GetBytes(xml));
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
        var form = System.Web.HttpUtility.ParseQueryString(await reader.ReadToEndAsync());
        var auth = context.Request.Headers["Authorization"];
        if (auth is null || !auth.StartsWith("AWS4-HMAC-SHA256 Credential=", StringComparison.Ordinal))
        {
            await ErrorAsync(context, 401, "AuthFailure", "AWS was not able to validate the provided access credentials");
            return;
        }

        LastAccessKey = auth["AWS4-HMAC-SHA256 Credential=".Length..].Split('/')[0];
        if (form["Action"] != "DescribeInstances")
        {
            await ErrorAsync(context, 400, "InvalidAction", $"The action {form["Action"]} is not valid for this web service.");
            return;
        }

        Interlocked.Increment(ref _calls);
        if (FailWith is { } failure)
        {
            await ErrorAsync(context, 503, failure, "The EC2 double was told to fail.");
            return;
        }

        var ids = new List<string>();
        for (int n = 1; form[$"InstanceId.{n}"] is { } id; n++)
        {
            ids.Add(id);
        }

        var filters = Filters(form);
        var token = form["NextToken"];
        List<IGrouping<string, Ec2Instance>> reservations;
        lock (_gate)
        {
            if (token is not null)
            {
                _tokens.Add(token);
            }

            reservations = [.. _instances.Where(i => Matches(i, filters, ids)).GroupBy(i => i.Reservation).OrderBy(g => g.Key, StringComparer.Ordinal)];
        }

        int offset = token is null ? 0 : int.Parse(token.AsSpan("page-".Length), CultureInfo.InvariantCulture);
        int size = form["MaxResults"] is { } max ? Math.Min(int.Parse(max, CultureInfo.InvariantCulture), PageSize) : PageSize;
        var page = reservations.Skip(offset).Take(size).ToList();
        var xml = new StringBuilder();
        xml.Append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<DescribeInstancesResponse xmlns=\"").Append(Namespace).Append("\">");
        xml.Append("<requestId>req-").Append(DescribeCalls).Append("</requestId><reservationSet>");
        foreach (var r in page)
        {
            xml.Append("<item><reservationId>").Append(r.Key).Append("</reservationId><ownerId>123456789012</ownerId><groupSet/><instancesSet>");
            foreach (var i in r)
            {
                xml.Append("<item><instanceId>").Append(i.Id).Append("</instanceId><imageId>ami-0test</imageId>");
                xml.Append("<instanceState><code>").Append(StateCode(i.State)).Append("</code><name>").Append(i.State).Append("</name></instanceState>");
                xml.Append("<privateDnsName>").Append(SecurityElement.Escape(i.PrivateDnsName)).Append("</privateDnsName>");
                xml.Append("<dnsName/><instanceType>t3.small</instanceType>");
                xml.Append("<privateIpAddress>").Append(i.PrivateIp).Append("</privateIpAddress>");
                xml.Append("<tagSet>");
                if (i.Group is not null)
                {
                    xml.Append("<item><key>aws:autoscaling:groupName</key><value>").Append(SecurityElement.Escape(i.Group)).Append("</value></item>");
                }

                xml.Append("<item><key>Name</key><value>etcd</value></item></tagSet></item>");
            }

            xml.Append("</instancesSet></item>");
        }

        xml.Append("</reservationSet>");
        if (offset + size < reservations.Count)
        {
            xml.Append("<nextToken>page-").Append(offset + size).Append("</nextToken>");
        }

        xml.Append("</DescribeInstancesResponse>");
        context.Response.ContentType = "text/xml;charset=UTF-8";
        await context.Response.OutputStream.WriteAsync(Encoding.UTF8.GetBytes(xml.ToString()));
    }
}
