using System.Net;
using Microsoft.Extensions.Logging;
using Tend.Core.Kv;
using Tend.Stores.Tls;

namespace Tend.Stores.Consul.Http;

/// <summary>The sockets handler the Consul store sends through: connect timeout, TLS (CA, client certificate, insecure), no proxy.</summary>
internal static class ConsulHttpHandler
{
    public static SocketsHttpHandler Create(KvStoreOptions options, ConsulStoreSettings settings, ILogger logger)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = settings.ConnectTimeout,
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(60),
            UseProxy = false,
            AutomaticDecompression = DecompressionMethods.None,
        };

        if (options.CertFile is not null)
        {
            handler.SslOptions.ClientCertificates = [PemTrust.ClientCertificate(options.CertFile, options.KeyFile)];
        }

        if (options.InsecureSkipVerify)
        {
            ConsulLog.InsecureTls(logger);
            handler.SslOptions.RemoteCertificateValidationCallback = static (_, _, _, _) => true;
        }
        else if (options.CaFile is not null)
        {
            handler.SslOptions.RemoteCertificateValidationCallback = PemTrust.TrustOnly(options.CaFile);
        }

        return handler;
    }
}
