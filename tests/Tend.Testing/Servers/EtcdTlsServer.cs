using System.Diagnostics;
using System.Security.Cryptography.X509Certificates;

namespace Tend.Testing.Servers;

/// <summary>
/// An etcd that serves clients over TLS and requires client certificates. The fixture makes a CA, a
/// server certificate for 127.0.0.1 and a client certificate with openssl, plus a second, unrelated CA
/// for "wrong CA" tests.
/// </summary>
public sealed class EtcdTlsServer : EtcdServer
{
    private HttpClient? _health;

    public string CaFile => Path.Combine(DataRoot, "ca.pem");

    public string OtherCaFile => Path.Combine(DataRoot, "other-ca.pem");

    public string ClientCertFile => Path.Combine(DataRoot, "client.pem");

    public string ClientKeyFile => Path.Combine(DataRoot, "client-key.pem");

    private string ServerCertFile => Path.Combine(DataRoot, "server.pem");

    private string ServerKeyFile => Path.Combine(DataRoot, "server-key.pem");

    protected override string ClientScheme => "https";

    protected override IReadOnlyList<string> ExtraArgs =>
    [
        "--cert-file", ServerCertFile,
        "--key-file", ServerKeyFile,
        "--trusted-ca-file", CaFile,
        "--client-cert-auth",
    ];

    protected override HttpClient? HealthClient => _health;

    protected override async Task PrepareAsync()
    {
        var openssl = RequiredBinary.Find("openssl", "/usr/bin/openssl", "openssl");
        var dir = DataRoot;
        await RunAsync(openssl, dir, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2", "-subj", "/CN=tend-test-ca", "-keyout", "ca-key.pem", "-out", "ca.pem");
        await RunAsync(openssl, dir, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2", "-subj", "/CN=other-ca", "-keyout", "other-ca-key.pem", "-out", "other-ca.pem");
        await IssueAsync(openssl, dir, "server", "/CN=127.0.0.1", "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth");
        await IssueAsync(openssl, dir, "client", "/CN=root", "extendedKeyUsage=clientAuth");

        var handler = new SocketsHttpHandler { UseProxy = false };
        handler.SslOptions.RemoteCertificateValidationCallback = static (_, _, _, _) => true;
        handler.SslOptions.ClientCertificates = [X509Certificate2.CreateFromPemFile(ClientCertFile, ClientKeyFile)];
        _health = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(2) };
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync().ConfigureAwait(false);
        _health?.Dispose();
    }

    private static async Task IssueAsync(string openssl, string dir, string name, string subject, string extensions)
    {
        await File.WriteAllTextAsync(Path.Combine(dir, name + ".ext"), extensions + "\n").ConfigureAwait(false);
        await RunAsync(openssl, dir, "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-subj", subject, "-keyout", name + "-key.pem", "-out", name + ".csr");
        await RunAsync(openssl, dir, "x509", "-req", "-in", name + ".csr", "-CA", "ca.pem", "-CAkey", "ca-key.pem", "-CAcreateserial", "-days", "2", "-extfile", name + ".ext", "-out", name + ".pem");
    }

    private static async Task RunAsync(string exe, string dir, params string[] args)
    {
        var psi = new ProcessStartInfo(exe) { WorkingDirectory = dir, RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi) ?? throw new InvalidOperationException("openssl did not start.");
        var stderr = p.StandardError.ReadToEndAsync();
        await p.StandardOutput.ReadToEndAsync().ConfigureAwait(false);
        await p.WaitForExitAsync().ConfigureAwait(false);
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"openssl {string.Join(' ', args)} failed: {await stderr.ConfigureAwait(false)}");
        }
    }
}
