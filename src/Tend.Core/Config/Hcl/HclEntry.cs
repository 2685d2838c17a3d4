namespace Tend.Core.Config.Hcl;

/// <summary>One <c>key = value</c> or <c>key { … }</c> of an object, where its key was written.</summary>
public sealed record HclEntry(string Key, HclValue Value, int Line, int Column);
