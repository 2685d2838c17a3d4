using Tend.Stores.Etcd;
using Xunit;

namespace Tend.Stores.Tests.Etcd;

[Collection(EtcdAuthCollection.Name)]
public sealed class EtcdGrpcAuthTests(EtcdAuthServer server) : EtcdAuthTests(server)
{
    protected override EtcdStoreSettings Settings => EtcdTestStores.FastSettings;
}
