# Tessera example Catalyst script in the version-1 format (ParaView's older "Generate Script"
# layout, run by vtkCPPythonScriptPipeline): every call tessera makes, it writes the whole
# mesh as a multiblock file full_NNNNNN.vtm (one .vti per block, ghost cells included and
# marked in vtkGhostType) under the run's output directory.
from paraview.simple import *
from paraview import coprocessing

FREQUENCY = 1  # of the calls tessera makes ([catalyst] every_steps / every_dt set the cadence)


def CreateCoProcessor():
    def _CreatePipeline(coprocessor, datadescription):
        class Pipeline:
            # "input" is the channel name ([catalyst] channel).
            input = coprocessor.CreateProducer(datadescription, "input")
            writer = servermanager.writers.XMLMultiBlockDataWriter(Input=input)
            coprocessor.RegisterWriter(writer, filename="full_%t.vtm", freq=FREQUENCY,
                                       paddingamount=6)

        return Pipeline()

    class CoProcessor(coprocessing.CoProcessor):
        def CreatePipeline(self, datadescription):
            self.Pipeline = _CreatePipeline(self, datadescription)

    coprocessor = CoProcessor()
    coprocessor.SetUpdateFrequencies({"input": [FREQUENCY]})
    return coprocessor


coprocessor = CreateCoProcessor()
coprocessor.EnableLiveVisualization(False, 1)


def RequestDataDescription(datadescription):
    if datadescription.GetForceOutput():
        for i in range(datadescription.GetNumberOfInputDescriptions()):
            datadescription.GetInputDescription(i).AllFieldsOn()
            datadescription.GetInputDescription(i).GenerateMeshOn()
        return
    coprocessor.LoadRequestedData(datadescription)


def DoCoProcessing(datadescription):
    coprocessor.UpdateProducers(datadescription)
    coprocessor.WriteData(datadescription)
