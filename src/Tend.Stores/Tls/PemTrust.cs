using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Tend.Stores.Tls;

/// <summary>TLS settings from PEM files, shared by the HTTP-based stores (etcd, Consul).</summary>
internal static class PemTrust
{
    /// <summary>A validator that accepts a server certificate only when it chains to the CAs in <paramref name="caFile"/>.</summary>
    public static RemoteCertificateValidationCallback TrustOnly(string caFile)
    {
        var roots = new X509Certificate2Collection();
        roots.ImportFromPemFile(caFile);
        return (_, certificate, _, errors) =>
        {
            if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None)
            {
                return false;
            }

            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.AddRange(roots);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            return chain.Build(certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()));
        };
    }

    /// <summary>The client certificate with its key, from PEM files.</summary>
    public static X509Certificate2 ClientCertificate(string certFile, string? keyFile) => X509Certificate2.CreateFromPemFile(certFile, keyFile);
}
