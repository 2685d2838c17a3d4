using System.Reflection;

namespace Tend;

/// <summary>The version this build reports.</summary>
internal static class TendVersion
{
    public static string Value { get; } =
        typeof(TendVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? typeof(TendVersion).Assembly.GetName().Version?.ToString()
        ?? "0.0.0";
}
