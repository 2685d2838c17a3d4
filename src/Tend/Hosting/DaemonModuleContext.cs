using Microsoft.Extensions.Logging;
using Tend.Core.Kv;
using Tend.Core.Mirror;
using Tend.Core.Processes;
using Tend.Modules.Render;

namespace Tend.Hosting;

/// <summary>What every module of one runtime shares: its store, the mirrors of that store, logging and the command runner.</summary>
/// <param name="Store">The store the modules read and write.</param>
/// <param name="Mirrors">The shared mirrors of <paramref name="Store"/>; modules lease what they read.</param>
/// <param name="Loggers">Logging.</param>
/// <param name="Runner">Runs the modules' commands.</param>
/// <param name="RenderReplaced">Told of each new render module before it starts rendering (exec mode follows its renders).</param>
internal sealed record DaemonModuleContext(IKvStore Store, KvMirrorSet Mirrors, ILoggerFactory Loggers, ICommandRunner Runner, Action<RenderModule?>? RenderReplaced = null);
