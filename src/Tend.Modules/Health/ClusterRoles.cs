namespace Tend.Modules.Health;

/// <summary>Names of <see cref="ClusterRole"/> as keys and JSON spell them.</summary>
public static class ClusterRoles
{
    /// <summary><c>standalone</c>, <c>primary</c> or <c>secondary</c>.</summary>
    public static string Name(this ClusterRole role) => role switch
    {
        ClusterRole.Primary => "primary",
        ClusterRole.Secondary => "secondary",
        _ => "standalone",
    };

    /// <summary>Parses a name written by <see cref="Name"/>; <c>null</c> for anything else.</summary>
    public static ClusterRole? Parse(string? name) => name switch
    {
        "primary" => ClusterRole.Primary,
        "secondary" => ClusterRole.Secondary,
        "standalone" => ClusterRole.Standalone,
        _ => null,
    };
}
