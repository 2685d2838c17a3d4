using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Options;

namespace Tend.Logging;

/// <summary>Options that never change, for building the logger factory without a service container.</summary>
internal sealed class FixedOptionsMonitor<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)] T>(T value) : IOptionsMonitor<T>
{
    public T CurrentValue => value;

    public T Get(string? name) => value;

    public IDisposable? OnChange(Action<T, string?> listener) => null;
}
