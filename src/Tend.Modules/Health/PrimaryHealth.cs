namespace Tend.Modules.Health;

/// <summary>What a secondary knows of its service's primaries.</summary>
/// <param name="AnyPassing">True when a primary passes, false when none does, <c>null</c> when it cannot be known (nothing publishes health on this store).</param>
/// <param name="Description">Which primaries pass, or why it is unknown, for the check's output.</param>
public sealed record PrimaryHealth(bool? AnyPassing, string Description);
