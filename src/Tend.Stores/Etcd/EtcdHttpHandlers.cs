using System.Net;
using Microsoft.Extensions.Logging;
using Tend.Core.Kv;
using Tend.Stores.Tls;

namespace Tend.Stores.Etcd;

/// <summary>The sockets handler both transports send through: connect timeout, TLS (CA, client certificate, insecure), no proxy.</summary>
internal static class EtcdHttpHandlers
{
    public static SocketsHttpHandler Create(KvStoreOptions options, EtcdStoreSettings settings, ILogger logger)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = settings.ConnectTimeout,
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(60),
            UseProxy = false,
            AutomaticDecompression = DecompressionMethods.None,

            // HTTP/2 (gRPC): a ping while streams are open finds a dead connection sooner than a silent watch would.
            // etcd refuses pings more often than every 5 s (--grpc-keepalive-min-time), and those without a stream.
            KeepAlivePingDelay = TimeSpan.FromSeconds(Math.Max(10, settings.WatchIdleTimeout.TotalSeconds)),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(Math.Max(5, settings.WatchIdleTimeout.TotalSeconds)),
            KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests,
            EnableMultipleHttp2Connections = true,
        };

        if (options.CertFile is not null)
        {
            handler.SslOptions.ClientCertificates = [PemTrust.ClientCertificate(options.CertFile, options.KeyFile)];
        }

        if (options.InsecureSkipVerify)
        {
            EtcdLog.InsecureTls(logger);
            handler.SslOptions.RemoteCertificateValidationCallback = static (_, _, _, _) => true;
        }
        else if (options.CaFile is not null)
        {
            handler.SslOptions.RemoteCertificateValidationCallback = PemTrust.TrustOnly(options.CaFile);
        }

        return handler;
    }
}
