using Tend.Core.Retry;

namespace Tend.Modules.Render;

/// <summary>The timing of catalog watches; the defaults suit production, tests shorten them.</summary>
internal sealed record CatalogWatchSettings
{
    public static CatalogWatchSettings Default { get; } = new();

    /// <summary>How long one blocking query may wait for a change (consul-template's default is 5 minutes too).</summary>
    public TimeSpan Wait { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How often <c>datacenters</c>, which Consul cannot block on, is read again (consul-template: 15 s).</summary>
    public TimeSpan DatacentersPoll { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Delays after failed queries (jittered), and after a run of spurious early answers.</summary>
    public IRetryPolicy Backoff { get; init; } = new ExponentialBackoff(TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(30));

    /// <summary>Early answers with an unchanged index in a row before the next query waits a backoff first.</summary>
    public int SpuriousWakeupsBeforeBackoff { get; init; } = 3;
}
