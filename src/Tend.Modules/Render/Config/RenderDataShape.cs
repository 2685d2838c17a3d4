namespace Tend.Modules.Render.Config;

/// <summary>What a render resource's template sees as its data (<c>.</c>).</summary>
public enum RenderDataShape
{
    /// <summary>confd: nothing useful at the dot; keys are read with <c>getv</c>, <c>gets</c>, <c>ls</c> … relative to the resource prefix.</summary>
    Confd,

    /// <summary>reconfig: the dot is a map key → value (the whole tree under the key, or the single key).</summary>
    Reconfig,

    /// <summary>consul-template: keys and services are read with its functions (<c>key</c>, <c>tree</c>, <c>service</c> …), paths relative to the KV root.</summary>
    ConsulTemplate,
}
