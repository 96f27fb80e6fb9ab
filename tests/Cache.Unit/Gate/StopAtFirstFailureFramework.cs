using System.Reflection;
using Xunit.Abstractions;
using Xunit.Sdk;

[assembly: TestFramework("Cache.Unit.Gate.StopAtFirstFailureFramework", "Cache.Unit")]

namespace Cache.Unit.Gate;

/// <summary>
/// xUnit's own framework, except that a run stops at its first failing test. Compiled only under the
/// mutation gate (CacheMutationGate=true), where a run tests one mutant and one failure decides it:
/// Stryker then cancels the run, but the test after the failing one still runs to its end, and when a
/// mutant made that test loop forever, a killed mutant cost a whole timeout. Stopping from inside
/// xUnit (a sink that answers "stop" is how xUnit's runners are told to cancel) ends the run at once.
/// </summary>
public sealed class StopAtFirstFailureFramework(IMessageSink messageSink) : XunitTestFramework(messageSink)
{
    /// <inheritdoc />
    protected override ITestFrameworkExecutor CreateExecutor(AssemblyName assemblyName) =>
        new Executor(assemblyName, SourceInformationProvider, DiagnosticMessageSink);

    private sealed class Executor(AssemblyName assemblyName, ISourceInformationProvider sourceInformationProvider, IMessageSink diagnosticMessageSink)
        : XunitTestFrameworkExecutor(assemblyName, sourceInformationProvider, diagnosticMessageSink)
    {
        protected override void RunTestCases(IEnumerable<IXunitTestCase> testCases, IMessageSink executionMessageSink, ITestFrameworkExecutionOptions executionOptions) =>
            base.RunTestCases(testCases, new StopAfterFailureSink(executionMessageSink), executionOptions);
    }

    /// <summary>Passes every message on; after a failed test, tells xUnit to run no further test.</summary>
    private sealed class StopAfterFailureSink(IMessageSink inner) : LongLivedMarshalByRefObject, IMessageSink
    {
        private volatile bool _failed;

        public bool OnMessage(IMessageSinkMessage message)
        {
            bool goOn = inner.OnMessage(message);
            if (message is ITestFailed)
            {
                _failed = true;
            }

            return goOn && !_failed;
        }
    }
}
