using Tend.Testing.Servers;
using Xunit;

namespace Tend.Stores.Tests.Etcd;

/// <summary>Tests that share one etcd server and leave it running as they found it.</summary>
[CollectionDefinition(Name)]
public sealed class EtcdCollection : ICollectionFixture<EtcdServer>
{
    public const string Name = "etcd";
}

/// <summary>Tests that kill and restart their etcd server.</summary>
[CollectionDefinition(Name)]
public sealed class EtcdChaosCollection : ICollectionFixture<EtcdChaosServer>
{
    public const string Name = "etcd-chaos";
}

/// <summary>Tests that enable authentication on their etcd server.</summary>
[CollectionDefinition(Name)]
public sealed class EtcdAuthCollection : ICollectionFixture<EtcdAuthServer>
{
    public const string Name = "etcd-auth";
}

/// <summary>Tests against an etcd that speaks TLS only.</summary>
[CollectionDefinition(Name)]
public sealed class EtcdTlsCollection : ICollectionFixture<EtcdTlsServer>
{
    public const string Name = "etcd-tls";
}

/// <summary>Tests on a three-member cluster.</summary>
[CollectionDefinition(Name)]
public sealed class EtcdClusterCollection : ICollectionFixture<EtcdCluster>
{
    public const string Name = "etcd-cluster";
}

/// <summary>Tests that count the watch streams and watchers on their etcd server.</summary>
[CollectionDefinition(Name)]
public sealed class EtcdWatchCountCollection : ICollectionFixture<EtcdWatchCountServer>
{
    public const string Name = "etcd-watch-count";
}

/// <summary>An etcd server of its own, so its watch metrics count only the watches of one test at a time.</summary>
public sealed class EtcdWatchCountServer : EtcdServer
{
}

/// <summary>An etcd server of its own for the chaos tests (a distinct type gives a distinct fixture instance).</summary>
public sealed class EtcdChaosServer : EtcdServer
{
}

/// <summary>An etcd server of its own with authentication enabled: user <c>root</c>, password <see cref="Password"/>.</summary>
public sealed class EtcdAuthServer : EtcdServer
{
    public const string Password = "s3cret-pw";

    /// <summary>Simple tokens expire after this many seconds, so tests meet a real expiry.</summary>
    public const int TokenTtlSeconds = 2;

    protected override IReadOnlyList<string> ExtraArgs => ["--auth-token-ttl", TokenTtlSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)];

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await CtlAsync("user", "add", "root:" + Password);
        await CtlAsync("auth", "enable");
    }
}
