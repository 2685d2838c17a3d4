namespace Tend.Modules.Tests.Membership;

/// <summary>
/// Distinct loopback addresses (127.77.x.y), one per simulated machine: Linux answers the whole 127/8, so every
/// member can listen on the same client and peer ports, as machines of a real group do.
/// </summary>
internal static class LoopbackAddresses
{
    private static int _next;

    public static string Next()
    {
        int n = Interlocked.Increment(ref _next);
        return $"127.77.{n / 250}.{(n % 250) + 1}";
    }
}
