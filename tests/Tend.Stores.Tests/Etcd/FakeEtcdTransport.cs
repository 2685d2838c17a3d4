using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net;
using System.Text;
using System.Text.Json;

namespace Tend.Stores.Tests.Etcd;

/// <summary>
/// An HTTP handler standing in for etcd's gateway at the transport seam: each request is recorded and
/// answered by the test's function; watch requests get streams the test writes messages into.
/// </summary>
internal sealed class FakeEtcdTransport(Func<FakeEtcdTransport.Request, Task<HttpResponseMessage>> respond) : HttpMessageHandler
{
    public sealed record Request(Uri Uri, string Body)
    {
        public string Path => Uri.AbsolutePath;

        public string Endpoint => Uri.GetLeftPart(UriPartial.Authority);

        public JsonElement Json => JsonDocument.Parse(Body).RootElement;
    }

    public ConcurrentQueue<Request> Requests { get; } = new();

    public static HttpResponseMessage Json(string json, HttpStatusCode status = HttpStatusCode.OK) =>
        new(status) { Content = new StringContent(json, Encoding.UTF8, "application/json") };

    public static string B64(string s) => Convert.ToBase64String(Encoding.UTF8.GetBytes(s));

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? string.Empty : await request.Content.ReadAsStringAsync(cancellationToken);
        var r = new Request(request.RequestUri!, body);
        Requests.Enqueue(r);
        return await respond(r);
    }
}

/// <summary>One watch stream the test feeds.</summary>
internal sealed class FakeWatchStream
{
    private readonly Pipe _pipe = new();

    public TaskCompletionSource<FakeEtcdTransport.Request> Opened { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public HttpResponseMessage Open(FakeEtcdTransport.Request request)
    {
        Opened.TrySetResult(request);
        return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(_pipe.Reader.AsStream()) };
    }

    public async Task SendAsync(string json) => await _pipe.Writer.WriteAsync(Encoding.UTF8.GetBytes(json + "\n"));

    public Task EndAsync() => _pipe.Writer.CompleteAsync().AsTask();
}
